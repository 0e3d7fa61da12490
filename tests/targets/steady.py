"""A target whose worker threads never change stack (CPython 2.7 and 3.x):
THREADS threads each call level() DEPTH levels deep, then spin in spin()
forever; the main thread sleeps. Writes {"pid": ..., "threads": THREADS,
"depth": DEPTH} to argv[-1] once every worker spins. A profiler sends most
of these samples as repeats of the thread's previous one."""
import json
import os
import sys
import threading
import time

THREADS = 6
DEPTH = 40
READY = sys.argv[-1]
lock = threading.Lock()
arrived = [0]


def spin():
    with lock:
        arrived[0] += 1
    n = 0
    while True:
        n += 1  # MARK: spin


def level(n):
    if n > 1:
        return level(n - 1)  # MARK: level-call
    return spin()  # MARK: level-bottom


def main():
    workers = [threading.Thread(target=level, args=(DEPTH,), name="steady-%d" % i) for i in range(THREADS)]
    for t in workers:
        t.daemon = True
        t.start()
    while arrived[0] < THREADS:
        time.sleep(0.01)
    tmp = READY + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid(), "threads": THREADS, "depth": DEPTH}, fh)
    os.rename(tmp, READY)
    while True:
        time.sleep(1)  # MARK: main-sleep


if __name__ == "__main__":
    main()  # MARK: module-call
