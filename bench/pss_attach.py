"""Run CPython 3.15's sampler (python3.15 -m profiling.sampling attach ...)
with its imports done before the target is known, so that the benchmarks can
start it, wait until it is ready, and only then hand it the target:

    python3.15 pss_attach.py [attach options...]     then write "PID\n" on stdin

Prints "attaching" on stderr when it has read the pid and calls the same
main() as `python3.15 -m profiling.sampling attach [options] PID`.
The attach-latency benchmark does not use this: it runs the real command.
"""
import sys

from profiling.sampling.__main__ import main  # noqa: F401  (imports cli and every collector)

pid = sys.stdin.readline().strip()
sys.argv = ["profiling.sampling"] + sys.argv[1:] + [pid]
print("attaching", file=sys.stderr, flush=True)
main()
