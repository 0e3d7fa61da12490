"""Benchmark target for the profiler-CPU benchmark: THREADS busy threads,
each with a Python stack exactly DEPTH frames deep (the threading bootstrap
frames included), spinning in a pure-Python loop at the innermost frame.

    python threads.py READY_FILE [THREADS [DEPTH [idle]]]   (default 10 50)

With "idle", a service at rest: one thread spins, the other THREADS - 1
wait (on an Event, the GIL released) at the same depth.

Creates READY_FILE once every thread is at its full depth. The main thread
waits in join() (a stack of 2 frames).
"""
import sys
import threading
import time

ready_path = sys.argv[1]
nthreads = int(sys.argv[2]) if len(sys.argv) > 2 else 10
depth = int(sys.argv[3]) if len(sys.argv) > 3 else 50
idle = len(sys.argv) > 4 and sys.argv[4] == "idle"
never = threading.Event()
lock = threading.Lock()
arrived = [0]


def frames_here():
    f, n = sys._getframe(1), 0
    while f is not None:
        n += 1
        f = f.f_back
    return n


def down(n, spin):
    if n > 1:
        return down(n - 1, spin)
    with lock:
        arrived[0] += 1
    if not spin:
        never.wait()
    x = 0
    while True:
        x += 1


def worker(spin):
    # the worker's own frame and everything below it (threading's bootstrap)
    base = frames_here()
    down(depth - base, spin)


threads = [threading.Thread(target=worker, args=(not idle or i == 0,), daemon=True, name="w%d" % i)
           for i in range(nthreads)]
for t in threads:
    t.start()
while arrived[0] < nthreads:      # every worker is in its loop
    time.sleep(0.01)
open(ready_path, "w").close()
for t in threads:
    t.join()
