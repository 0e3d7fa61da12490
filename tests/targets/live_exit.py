"""A target that works for a few seconds, then exits with a given status
(CPython 2.7 and 3.x): for pyheat's live view watching a process end.

    live_exit.py SECONDS STATUS"""
import sys
import time


def busy_until_exit(seconds):
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        n += 1  # MARK: busy
    return n


if __name__ == "__main__":
    busy_until_exit(float(sys.argv[1]))
    sys.exit(int(sys.argv[2]))
