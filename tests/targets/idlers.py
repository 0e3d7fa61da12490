"""A target whose threads are mostly idle (the GIL released), so that the
walker gives their stacks again without walking them, and whose stacks
still keep changing under it. Runs on 2.7 and 3.x.

Three workers take turns: worker W runs dyn_K for K % 3 == W, each
function compiled anew (file "dyn-K", body on line K+2) and sleeping
~0.3 ms inside (no GIL), one call after another, always at the same depth,
so that its frames sit at the same addresses every time and only the GIL's
switch count tells that the thread has moved on. Each worker publishes its
K, before calling dyn_K, as an 8-byte little-endian integer at offset
8 * W of the file argv[-2]; offset 64 holds 3, the number of such slots
(tests/tools/stress-walk checks dyn_K against slot K % 3). Four more
threads wait forever at different depths, and the main thread in join().
Writes {"pid": ...} to argv[-1] when running."""
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
WORKERS = 3
shm[64:72] = struct.pack("<q", WORKERS)


def publish(slot, k):
    shm[8 * slot:8 * slot + 8] = struct.pack("<q", k)


def make(k):
    src = "\n" * k + "def dyn_%d(sleep):\n    sleep(0.0003)\n" % k
    ns = {}
    exec(compile(src, "dyn-%d" % k, "exec"), ns)
    return ns["dyn_%d" % k]


def deep(n, fn):
    if n:
        return deep(n - 1, fn)
    fn(time.sleep)


def worker(slot):
    k = slot
    while True:
        k += WORKERS
        fn = make(k)
        publish(slot, k)
        deep(3, fn)
        del fn


def parked(n, ev):
    if n:
        return parked(n - 1, ev)
    ev.wait()


ev = threading.Event()
threads = [threading.Thread(target=worker, args=(s,)) for s in range(WORKERS)]
threads += [threading.Thread(target=parked, args=(5 + 10 * i, ev)) for i in range(4)]
for t in threads:
    t.daemon = True
    t.start()

tmp = sys.argv[-1] + ".tmp"
with open(tmp, "w") as fh:
    json.dump({"pid": os.getpid()}, fh)
os.rename(tmp, sys.argv[-1])
for t in threads:
    t.join()
