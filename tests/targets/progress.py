"""A target whose progress a test can watch: a few threads each increment a
counter in a tight Python loop and publish it to an mmap'd file, so a test
sees whether the target advances (is it left stopped?). Runs on 2.7 and 3.x.

    progress.py [--threads N] [--churn] [--exit-after SECONDS] SHARED READY

The file SHARED (4096 bytes) holds little-endian int64s:
    [0] SIGUSR1 and SIGRT (SIGRTMIN+2, queued: never merged) signals handled
        (a Python handler counts them; Python merges the ones that arrive
        before it runs)
    [1] threads started by --churn (short-lived threads, started and joined)
    [2] number of counting threads N
    [3] signals that reached the process (bytes from signal.set_wakeup_fd,
        written by the C-level handler for every delivery)
    [8 + i] counter of counting thread i
--exit-after makes the process os._exit(3) after that many seconds.
Writes {"pid": ...} to READY when every thread runs."""
import json
import mmap
import os
import signal
import struct
import sys
import threading
import time

READY, SHARED = sys.argv[-1], sys.argv[-2]
opts = sys.argv[1:-2]
NTHREADS = int(opts[opts.index("--threads") + 1]) if "--threads" in opts else 3
CHURN = "--churn" in opts
EXIT_AFTER = float(opts[opts.index("--exit-after") + 1]) if "--exit-after" in opts else None

with open(SHARED, "wb") as fh:
    fh.write(b"\0" * 4096)
fd = os.open(SHARED, os.O_RDWR)
shm = mmap.mmap(fd, 4096)


def put(slot, value):
    shm[slot * 8:slot * 8 + 8] = struct.pack("<q", value)


put(2, NTHREADS)
signals = [0]


def on_usr1(signum, frame):
    signals[0] += 1
    put(0, signals[0])


SIGRT = 34 + 2   # SIGRTMIN + 2: glibc keeps 32 and 33
signal.signal(signal.SIGUSR1, on_usr1)
signal.signal(SIGRT, on_usr1)
# every delivery at the C level writes one byte here; a thread counts them
rfd, wfd = os.pipe()
if hasattr(os, "set_blocking"):
    os.set_blocking(wfd, False)
else:
    import fcntl
    fcntl.fcntl(wfd, fcntl.F_SETFL, fcntl.fcntl(wfd, fcntl.F_GETFL) | os.O_NONBLOCK)
signal.set_wakeup_fd(wfd)


def count_wakeups():
    n = 0
    while True:
        n += len(os.read(rfd, 4096))
        put(3, n)


def count(slot):
    n = 0
    while True:
        n += 1
        if n & 1023 == 0:
            put(slot, n)


def churn():
    started = 0
    while True:
        ts = [threading.Thread(target=time.sleep, args=(0.001,)) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        started += len(ts)
        put(1, started)


t = threading.Thread(target=count_wakeups, name="wakeups")
t.daemon = True
t.start()
for i in range(NTHREADS):
    t = threading.Thread(target=count, args=(8 + i,), name="count-%d" % i)
    t.daemon = True
    t.start()
if CHURN:
    t = threading.Thread(target=churn, name="churn")
    t.daemon = True
    t.start()

tmp = READY + ".tmp"
with open(tmp, "w") as fh:
    json.dump({"pid": os.getpid()}, fh)
os.rename(tmp, READY)

start = time.time()
while True:
    # a sleeping main thread: signal handlers run here
    time.sleep(0.01)
    if EXIT_AFTER is not None and time.time() - start >= EXIT_AFTER:
        os._exit(3)
