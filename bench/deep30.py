"""Benchmark target: one busy thread whose stack is exactly 30 Python frames
(<module> + 29 calls of f), innermost in a pure-Python loop."""
import sys


def f(n):
    if n:
        return f(n - 1)
    x = 0
    while True:
        x += 1


if len(sys.argv) > 1:
    open(sys.argv[1], "w").close()
f(28)
