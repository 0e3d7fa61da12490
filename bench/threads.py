"""Benchmark target for the profiler-CPU benchmark: THREADS busy threads,
each with a Python stack exactly DEPTH frames deep (the threading bootstrap
frames included), spinning in a pure-Python loop at the innermost frame.

    python threads.py READY_FILE [THREADS [DEPTH]]      (default 10 50)

Creates READY_FILE once every thread is at its full depth. The main thread
waits in join() (a stack of 2 frames).
"""
import sys
import threading
import time

ready_path = sys.argv[1]
nthreads = int(sys.argv[2]) if len(sys.argv) > 2 else 10
depth = int(sys.argv[3]) if len(sys.argv) > 3 else 50
lock = threading.Lock()
arrived = [0]


def frames_here():
    f, n = sys._getframe(1), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


def down(n):
    if n > 1:
        return down(n - 1)
    with lock:
        arrived[0] += 1
    x = 0
    while True:
        x += 1


def worker():
    # the worker's own frame and everything below it (threading's bootstrap)
    base = frames_here()
    down(depth - base)


threads = [threading.Thread(target=worker, daemon=True, name="w%d" % i) for i in range(nthreads)]
for t in threads:
    t.start()
while arrived[0] < nthreads:      # every worker is in its loop
    time.sleep(0.01)
open(ready_path, "w").close()
for t in threads:
    t.join()
