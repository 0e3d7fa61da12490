"""A CPU-bound target whose functions take known shares of its time, in two
phases, for the PNG heatmap tests (tests/test_png.py); CPython 3.3+.

    heat_target.py SECONDS           one thread; alpha, beta and gamma in turns,
                                     first half  60/20/20 % of the time,
                                     second half 40/40/20 %,
                                     overall     50/30/20 %;
                                     prints the shares it measured (JSON)
    heat_target.py SECONDS threads   "worker-a" runs alpha for the first half,
                                     then beta; "worker-b" runs gamma; the
                                     main thread waits (off CPU)

Each function spins on the wall clock (time.perf_counter), so the thread is
always running or runnable (state R, what cpu mode samples), and each turn
pays back what preemption added to the last ones, so the shares hold on a
loaded machine too. A sample taken while the clock (a C function)
runs has the function as its innermost Python frame, on the line marked
"# MARK: NAME". gamma lives in heat_lib.py, another file. Exits after
SECONDS of wall time.
"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from heat_lib import gamma  # noqa: E402


def alpha(budget):
    end = time.perf_counter() + budget
    while time.perf_counter() < end:  # MARK: alpha
        pass


def beta(budget):
    end = time.perf_counter() + budget
    while time.perf_counter() < end:  # MARK: beta
        pass


def name_thread(name):
    """Set the OS name (comm) of the calling thread; threads it starts
    inherit it, so they have it from their first sample on."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def worker(phases):
    for until, work in phases:
        turns(until, work)


def turns(until, work, spent=None):
    """Run (fn, share) in turns until the wall clock reaches until, each turn
    giving fn what keeps its time since the start at share of the total (so
    a turn stretched by preemption is paid back by the next ones); cycles of
    50 ms. Adds each function's seconds to spent."""
    spent = spent if spent is not None else {}
    mine = dict((fn, 0.0) for fn, _ in work)
    start = time.perf_counter()
    while time.perf_counter() < until:
        elapsed = time.perf_counter() - start + 0.05
        for fn, share in work:
            budget = share * elapsed - mine[fn]
            if budget > 0:
                t0 = time.perf_counter()
                fn(budget)
                mine[fn] += time.perf_counter() - t0
    for fn, s in mine.items():
        spent[fn.__name__] = spent.get(fn.__name__, 0.0) + s
    return spent


def main():
    seconds = float(sys.argv[1])
    start = time.perf_counter()
    half, end = start + seconds / 2, start + seconds
    if len(sys.argv) > 2 and sys.argv[2] == "threads":
        a = threading.Thread(target=worker, args=([(half, [(alpha, 1.0)]), (end, [(beta, 1.0)])],),
                             name="worker-a")
        b = threading.Thread(target=worker, args=([(end, [(gamma, 1.0)])],), name="worker-b")
        name_thread("worker-a")
        a.start()
        name_thread("worker-b")
        b.start()
        name_thread("python3")
        a.join()
        b.join()
    else:
        spent = turns(half, [(alpha, 0.6), (beta, 0.2), (gamma, 0.2)])
        turns(end, [(alpha, 0.4), (beta, 0.4), (gamma, 0.2)], spent)
        total = sum(spent.values())
        print(json.dumps(dict((k, v / total) for k, v in spent.items())))


if __name__ == "__main__":
    main()
