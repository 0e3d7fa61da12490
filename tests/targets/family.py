"""A process family for --subprocesses: a multiprocessing pool (start method
from argv[1]: fork, forkserver or spawn) whose workers run pool_work, a
child that lives about 300 ms in short_child, a grandchild (a child's child)
in grandchild_work, and a non-Python child (sleep). Every Python process
busies itself in a function with a name unique to it, so samples show who
was seen. Runs on 3.x. Writes {"pid": ...} to argv[-1] when done starting."""
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time


def spin(seconds, fn_name):
    end = time.time() + seconds
    x = 0
    while time.time() < end:
        x += 1
    return x


def pool_work(n):
    return spin(0.25, "pool_work")


def short_child():
    spin(0.3, "short_child")


def grandchild_work():
    spin(1.0, "grandchild_work")


def child_with_grandchild(method):
    ctx = mp.get_context(method)
    p = ctx.Process(target=grandchild_work)
    p.start()
    p.join()


def main():
    method = sys.argv[1]
    ctx = mp.get_context(method)
    sleeper = subprocess.Popen(["sleep", "3"])
    with ctx.Pool(2) as pool:
        pool.map(pool_work, range(8))
    p = ctx.Process(target=short_child)
    p.start()
    p.join()
    p = ctx.Process(target=child_with_grandchild, args=(method,))
    p.start()
    p.join()
    sleeper.wait()
    with open(sys.argv[-1] + ".tmp", "w") as fh:
        json.dump({"pid": os.getpid()}, fh)
    os.rename(sys.argv[-1] + ".tmp", sys.argv[-1])


if __name__ == "__main__":
    main()
