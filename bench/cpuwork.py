"""Benchmark target for the slowdown benchmark: a CPU-bound, pure-Python
workload of fixed size that times itself.

    python cpuwork.py READY_FILE ITERATIONS
    python cpuwork.py READY_FILE -CHUNK

Creates READY_FILE once started, waits for one line on stdin ("go"), runs
the workload ITERATIONS times and prints one line, "wall_s cpu_s wait_s": the
workload's wall time (time.perf_counter), the process CPU time
(time.process_time) and the time the thread spent runnable but waiting for a
CPU (its run-queue wait, from /proc/thread-self/schedstat: the machine's other
load, which wall_s - wait_s leaves out). With ITERATIONS = 0 it calibrates
instead: prints how many iterations fit in one second of CPU time and exits.

With a negative argument it runs chunks of CHUNK iterations until a line
arrives on stdin, noting after each chunk the time (time.monotonic, the
clock of the harness that switches a profiler on and off) and the thread's
CPU time (time.thread_time); then prints one "t_mono_s thread_cpu_s" line
per chunk. The harness compares chunks run while the profiler sampled with
those run while it was stopped, within this one process.
"""
import threading
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def mix(i):
    # a little of everything a Python program does: calls, arithmetic,
    # strings, dicts, lists, attribute-free comprehension
    d = {}
    for k in range(40):
        d["k%d" % (k & 15)] = d.get("k%d" % (k & 15), 0) + k * i
    s = sorted(d.values())
    return sum(x % 7 for x in s) + len("-".join(map(str, s[:5])))


def unit(i):
    return fib(12) + mix(i)


def workload(n):
    acc = 0
    for i in range(n):
        acc += unit(i)
    return acc


def run_queue_wait():
    """Seconds this thread has spent runnable but waiting for a CPU
    (/proc/thread-self/schedstat, second field), or 0 where not available."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def main():
    ready, iters = sys.argv[1], int(sys.argv[2])
    if iters == 0:
        workload(20)
        t0 = time.process_time()
        n = 0
        while time.process_time() - t0 < 0.3:
            workload(20)
            n += 20
        print(int(n / (time.process_time() - t0)))
        return
    if iters < 0:
        chunk, marks, stop = -iters, [], threading.Event()
        threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
        workload(5)
        open(ready, "w").close()
        # the reader thread sleeps in read(): it never takes the GIL until the
        # stop line comes, so the worker has the interpreter to itself
        while not stop.is_set():
            workload(chunk)
            marks.append((time.monotonic(), time.thread_time()))
        sys.stdout.write("".join("%.6f %.6f\n" % m for m in marks))
        return
    workload(5)   # warm the specializing interpreter before timing
    open(ready, "w").close()
    sys.stdin.readline()
    q0 = run_queue_wait()
    w0, c0 = time.perf_counter(), time.process_time()
    workload(iters)
    w1, c1 = time.perf_counter(), time.process_time()
    q1 = run_queue_wait()
    print("%.6f %.6f %.6f" % (w1 - w0, c1 - c0, q1 - q0), flush=True)


main()
