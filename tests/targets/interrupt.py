"""A launched target for pyheat's Ctrl-C test (CPython 2.7 and 3.x): spins in
spin_until_interrupted() until SIGINT raises KeyboardInterrupt, then prints
"interrupted" and exits 3. Writes {"pid": ...} to argv[-1] once its handler
is in place (Python installs it before running the script). It dies with its
parent (pyheat): a pyheat killed by a failing test leaves no spinning child."""
import ctypes
import json
import os
import signal
import sys


def spin_until_interrupted():
    n = 0
    while True:
        n += 1  # MARK: spin


def main(ready):
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except (AttributeError, OSError):
        pass
    tmp = ready + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid()}, fh)
    os.rename(tmp, ready)
    try:
        spin_until_interrupted()
    except KeyboardInterrupt:
        sys.stdout.write("interrupted\n")
        sys.stdout.flush()
        sys.exit(3)


if __name__ == "__main__":
    main(sys.argv[-1])
