"""A target for pyheat's sampling modes (CPython 2.7 and 3.x).

    modes.py [--nogil] [--cthread] [--exit-after S] READY

The main thread spins in busy_main() (holding the GIL whenever it runs); two
threads sleep forever in sleeper_a() and sleeper_b(). With --nogil a fourth
thread loops in nogil_loop(), compressing 1 MiB per call: zlib releases the
GIL while it deflates (2.7 too; hashlib would not everywhere: without OpenSSL
2.7's sha256 keeps it), so that thread is on a CPU without holding the GIL
nearly all the time. --cthread: one more thread, started with
start_new_thread(time.sleep, ...), runs no Python code at all (no frame)
and is the newest thread. --exit-after S: one more thread ends the process with
os._exit(5) S seconds after READY is written. Writes {"pid": ..., "threads":
N} to READY when every thread has started (N: the Python threads, main
included)."""
import json
import os
import sys
import threading
import time
import zlib

READY = sys.argv[-1]
OPTS = sys.argv[1:-1]
NOGIL = "--nogil" in OPTS
CTHREAD = "--cthread" in OPTS
EXIT_AFTER = float(OPTS[OPTS.index("--exit-after") + 1]) if "--exit-after" in OPTS else None
started = []


def sleeper_a():
    started.append("a")
    while True:
        time.sleep(3600)  # MARK: sleeper-a


def sleeper_b():
    started.append("b")
    while True:
        time.sleep(3600)  # MARK: sleeper-b


def nogil_loop():
    data = os.urandom(1 << 20)
    started.append("nogil")
    while True:
        zlib.compress(data, 6)  # MARK: nogil


def exit_later():
    time.sleep(EXIT_AFTER)
    os._exit(5)  # MARK: exit


def busy_main():
    n = 0
    while True:
        n += 1  # MARK: busy


def main():
    fns = [sleeper_a, sleeper_b] + ([nogil_loop] if NOGIL else [])
    for fn in fns:
        t = threading.Thread(target=fn, name=fn.__name__)
        t.daemon = True
        t.start()
    while len(started) < len(fns):
        time.sleep(0.01)
    if CTHREAD:
        try:
            import _thread as low
        except ImportError:
            import thread as low
        low.start_new_thread(time.sleep, (1e6,))   # a thread state without frames
    time.sleep(0.05)   # let the sleepers reach their sleep
    tmp = READY + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid(), "threads": len(fns) + 1 + CTHREAD}, fh)
    os.rename(tmp, READY)
    if EXIT_AFTER is not None:
        t = threading.Thread(target=exit_later, name="exit_later")
        t.daemon = True
        t.start()
    busy_main()  # MARK: busy-call


if __name__ == "__main__":
    main()
