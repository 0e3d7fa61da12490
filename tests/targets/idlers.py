"""A target whose threads are mostly idle (the GIL released), so that the
walker gives their stacks again without walking them, and whose stacks
still keep changing under it. Runs on 2.7 and 3.x.

Four workers take turns: worker W runs dyn_K for K % 4 == W, each
function compiled anew (file "dyn-K", body on line K+2) and sleeping
inside (no GIL), one call after another, always at the same depth, so that
its frames sit at the same addresses every time and only the GIL's switch
count tells that the thread has moved on. Workers 0-2 sleep 0.3 ms,
worker 3 for 30 ms: long enough for the walker to park it (its frames out
of the batched read) before it moves on. Each worker publishes its K,
before calling dyn_K, as an 8-byte little-endian integer at offset 8 * W
of the file argv[-2]; offset 64 holds 4, the number of such slots
(tests/tools/stress-walk checks dyn_K against slot K % 4). Four more
threads wait forever at different depths, and the main thread in join().
With "slow" as the first argument only worker 3 runs: the GIL then stays
put for 30 ms at a time, long enough for every idle thread to be parked.
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
WORKERS = 4
NAPS = (0.0003, 0.0003, 0.0003, 0.03)
shm[64:72] = struct.pack("<q", WORKERS)


def publish(slot, k):
    shm[8 * slot:8 * slot + 8] = struct.pack("<q", k)


def make(k):
    src = "\n" * k + "def dyn_%d(sleep):\n    sleep(%r)\n" % (k, NAPS[k % WORKERS])
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
slow_only = len(sys.argv) > 3 and sys.argv[1] == "slow"
threads = [threading.Thread(target=worker, args=(s,)) for s in range(WORKERS) if not slow_only or s == 3]
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
