"""A target with a deep stack (CPython 2.7 and 3.x): main() calls recurse()
1,500 levels deep (DEPTH frames of recurse), whose innermost call spins in
bottom() forever. Writes {"pid": ..., "depth": DEPTH} to argv[-1] from
bottom()."""
import json
import os
import sys

DEPTH = 1500
READY = sys.argv[-1]


def bottom():
    tmp = READY + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid(), "depth": DEPTH}, fh)
    os.rename(tmp, READY)
    n = 0
    while True:
        n += 1  # MARK: bottom


def recurse(n):
    if n > 1:
        return recurse(n - 1)  # MARK: recurse-call
    return bottom()  # MARK: recurse-bottom


def main():
    sys.setrecursionlimit(DEPTH + 1000)
    recurse(DEPTH)  # MARK: main-call


if __name__ == "__main__":
    main()  # MARK: module-call
