"""A target that keeps changing under the profiler: code objects freed and
recreated (at reused addresses) with new names, threads starting and
exiting, recursion depth going up and down. Runs on 2.7 and 3.x.

The function running now is dyn_K, compiled from file "dyn-K" with its body
on line K+2; K only grows and is published as an 8-byte little-endian
integer at offset 0 of the file argv[-2], so a reader can check that a
sample never names a function that had already been replaced (a stale
code-object cache). Writes {"pid": ...} to argv[-1] when running."""
import json
import mmap
import os
import struct
import sys
import threading
import time

SHARED = sys.argv[-2]
with open(SHARED, "wb") as fh:
    fh.write(b"\0" * 4096)
fd = os.open(SHARED, os.O_RDWR)
shm = mmap.mmap(fd, 4096)


def publish(k):
    shm[0:8] = struct.pack("<q", k)


def make(k):
    # dyn_K's body sits on line K+2 of file "dyn-K"
    src = "\n" * k + "def dyn_%d(until, clock):\n    while clock() < until:\n        pass\n" % k
    ns = {}
    exec(compile(src, "dyn-%d" % k, "exec"), ns)
    return ns["dyn_%d" % k]


def deep(n, fn, until):
    if n:
        return deep(n - 1, fn, until)
    fn(until, time.time)


def churn_threads():
    while True:
        ts = [threading.Thread(target=time.sleep, args=(0.002,)) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()


t = threading.Thread(target=churn_threads)
t.daemon = True
t.start()

tmp = sys.argv[-1] + ".tmp"
with open(tmp, "w") as fh:
    json.dump({"pid": os.getpid()}, fh)
os.rename(tmp, sys.argv[-1])

k = 0
while True:
    k += 1
    fn = make(k)
    publish(k)
    deep(k % 50, fn, time.time() + 0.003)
    del fn
