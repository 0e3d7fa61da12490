"""Benchmark target for the memory benchmark: a busy program that walks a
fixed set of NSTACKS distinct Python call paths over and over.

    python manystacks.py READY_FILE [NSTACKS]        (default 20000)

40 generated functions g0..g39 call one another along NSTACKS distinct random
paths of 5 calls (seeded: the same set every run), each path ending in a short
pure-Python loop in its innermost function, below 24 frames of a recursive
pad(): 30 frames in all. The set of stacks is fixed (NSTACKS paths, a few
lines each), so a sampler sees new distinct stacks at a falling rate and then
none: after that its memory should stop growing.
"""
import random
import sys

ready_path = sys.argv[1]
nstacks = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
NFUNCS, DEPTH, PAD = 40, 4, 24

src = []
for k in range(NFUNCS):
    src.append(
        "def g%d(p, i):\n"
        "    if i < %d:\n"
        "        return FUNCS[p[i]](p, i + 1)\n"
        "    x = 0\n"
        "    for _ in range(12):\n"
        "        x += 1\n"
        "    return x\n" % (k, DEPTH + 1))
ns = {}
exec(compile("\n".join(src), "manystacks_funcs.py", "exec"), ns)
FUNCS = [ns["g%d" % k] for k in range(NFUNCS)]
ns["FUNCS"] = FUNCS

rng = random.Random(1234)
paths = set()
while len(paths) < nstacks:
    paths.add(tuple(rng.randrange(NFUNCS) for _ in range(DEPTH + 1)))
paths = sorted(paths)
rng.shuffle(paths)


def pad(n):
    # PAD frames under the paths: every sample is a deep stack, as in real
    # programs, and costs the sampler what a deep stack costs
    if n > 1:
        return pad(n - 1)
    open(ready_path, "w").close()
    while True:
        for p in paths:
            FUNCS[p[0]](p, 1)


pad(PAD)
