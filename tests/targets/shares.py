"""A target whose CPU time is split, in known shares, between three functions
(CPython 2.7 and 3.x, single-threaded).

    shares.py TRUTH READY

The main thread calls alpha(), beta() and gamma() in turn, forever; each
spins for a random slice of CPU time (means 5, 3 and 2 ms: about 50/30/20)
and measures the CPU time it spent itself, with this thread's CPU clock:
time.thread_time (3.7+), clock_gettime(CLOCK_THREAD_CPUTIME_ID) (3.3-3.6),
time.clock() on 2.7 (the process's CPU time; the process has one thread).
The clock is a C function, called directly, so a sample taken while it runs
still has alpha/beta/gamma as its innermost Python frame.

SIGUSR1 starts the measured window, SIGUSR2 ends it: the main loop then
writes TRUTH (JSON, via a rename) with each function's fraction of the CPU
time the thread spent in the window (everything else: the loop, the signal
handlers, is "rest") and keeps running. Writes {"pid": ...} to READY first.
"""
import functools
import json
import os
import random
import signal
import sys
import time

TRUTH, READY = sys.argv[-2], sys.argv[-1]

if hasattr(time, "thread_time"):
    clock = time.thread_time
elif hasattr(time, "clock_gettime") and hasattr(time, "CLOCK_THREAD_CPUTIME_ID"):
    clock = functools.partial(time.clock_gettime, time.CLOCK_THREAD_CPUTIME_ID)
else:
    clock = time.clock

MEANS = (0.005, 0.003, 0.002)
spent = [0.0, 0.0, 0.0]
flags = {"start": False, "stop": False}


def alpha(budget):
    t0 = clock()
    end = t0 + budget
    while clock() < end:
        n = 0
        while n < 50:  # MARK: alpha
            n += 1
    return clock() - t0


def beta(budget):
    t0 = clock()
    end = t0 + budget
    while clock() < end:
        n = 0
        while n < 50:  # MARK: beta
            n += 1
    return clock() - t0


def gamma(budget):
    t0 = clock()
    end = t0 + budget
    while clock() < end:
        n = 0
        while n < 50:  # MARK: gamma
            n += 1
    return clock() - t0


def on_usr1(signum, frame):
    flags["start"] = True


def on_usr2(signum, frame):
    flags["stop"] = True


def write_json(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(doc, fh)
    os.rename(tmp, path)


def main():
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGUSR2, on_usr2)
    write_json(READY, {"pid": os.getpid()})
    fns = (alpha, beta, gamma)
    rnd = random.Random(1234)
    started = None
    while True:
        for i in range(3):
            spent[i] += fns[i](MEANS[i] * (0.5 + rnd.random()))
        if flags["start"]:
            flags["start"] = False
            spent[:] = [0.0, 0.0, 0.0]
            started = (clock(), time.time())
        if flags["stop"] and started is not None:
            flags["stop"] = False
            total = clock() - started[0]
            doc = {"cpu_s": total, "wall_s": time.time() - started[1]}
            for i, fn in enumerate(fns):
                doc[fn.__name__] = spent[i] / total if total > 0 else 0.0
            doc["rest"] = 1.0 - sum(spent) / total if total > 0 else 0.0
            write_json(TRUTH, doc)
            started = None


if __name__ == "__main__":
    main()
