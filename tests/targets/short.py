"""A short-lived target for pyheat's launch mode (CPython 2.7 and 3.x): busy
for 200 ms of wall time in short_busy(), then exits 0."""
import time


def short_busy(seconds):  # MARK: short-def
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        n += 1  # MARK: short-busy
    return n  # MARK: short-return


if __name__ == "__main__":
    short_busy(0.2)  # MARK: short-call
