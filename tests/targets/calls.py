"""A call-heavy target: frames pushed and popped all the time (recursion,
comprehensions, sorting with a key, dict and string work), so a sampler
often finds the innermost frame mid-call. Runs on 2.7 and 3.x.

    calls.py READY

Writes {"pid": ...} to READY once it runs."""
import json
import os
import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def key(x):
    return -x


def work():
    d = {}
    for i in range(500):
        d[str(i)] = sorted([i, i * 7 % 13, i * 3 % 11], key=key)
    return fib(15) + len([k for k in d if k.endswith("7")])


with open(sys.argv[-1] + ".tmp", "w") as fh:
    json.dump({"pid": os.getpid()}, fh)
os.rename(sys.argv[-1] + ".tmp", sys.argv[-1])
while True:
    work()
