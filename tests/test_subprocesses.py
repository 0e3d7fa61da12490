#!/usr/bin/env python3
"""pyheat record --subprocesses on a real process family
(tests/targets/family.py): a multiprocessing pool with the fork,
forkserver and spawn start methods, a child that lives ~300 ms, a
grandchild, and a non-Python child. Every Python process is sampled under its
own pid; the non-Python one is ignored; without --subprocesses only the root
is sampled."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, TARGETS, Report, check  # noqa: E402
import pythons  # noqa: E402

FAMILY = os.path.join(TARGETS, "family.py")


def record(py, method, *extra):
    d = tempfile.mkdtemp(prefix="pyheat-family-")
    stem = os.path.join(d, "rec")
    ready = os.path.join(d, "ready.json")
    r = subprocess.run([PYHEAT, "record", "-o", stem, "--rate", "200", "--mode", "wall"] + list(extra)
                       + ["--", py.path, FAMILY, method, ready], capture_output=True, text=True,
                       timeout=120)
    check(r.returncode == 0, "record exited %d: %s" % (r.returncode, r.stderr.strip()[-800:]))
    check(os.path.exists(ready), "the family did not finish")
    c = subprocess.run([PYHEAT, "report", stem + ".pyheat", "-f", "collapsed", "-o", "-"],
                       capture_output=True, text=True, timeout=60)
    check(c.returncode == 0, "report exited %d: %s" % (c.returncode, c.stderr.strip()))
    info = subprocess.run([PYHEAT, "info", stem + ".pyheat", "--json"], capture_output=True,
                          text=True, timeout=60)
    check(info.returncode == 0, "info exited %d: %s" % (info.returncode, info.stderr.strip()))
    return c.stdout, info.stdout


def funcs_seen(collapsed):
    seen = {}
    for line in collapsed.splitlines():
        stack, count = line.rsplit(" ", 1)
        for fn in ("pool_work", "short_child", "grandchild_work", "main"):
            if (";%s (" % fn) in stack or stack.startswith(fn + " ("):
                seen[fn] = seen.get(fn, 0) + int(count)
    return seen


def family(py, method):
    collapsed, info = record(py, method, "--subprocesses")
    import json
    doc = json.loads(info)
    pids = {t["pid"] for t in doc["threads"]}
    seen = funcs_seen(collapsed)
    # the sanitizer build attaches several times slower than a 300 ms child lives
    short = () if os.environ.get("PYHEAT_SAN") else ("short_child",)
    for fn in ("pool_work", "grandchild_work") + short:
        check(seen.get(fn, 0) > 0, "%s never sampled (seen: %s)" % (fn, seen))
    # root + 2 pool workers + the short child + the child + the grandchild
    # (+ forkserver / resource tracker helpers for those start methods)
    check(len(pids) >= 6, "samples from %d processes only: %s" % (len(pids), sorted(pids)))
    check(not any("sleep" in (t.get("name") or "") for t in doc["threads"]),
          "the non-Python child was sampled")


def root_only(py):
    collapsed, info = record(py, "fork")
    import json
    doc = json.loads(info)
    pids = {t["pid"] for t in doc["threads"]}
    check(len(pids) == 1, "without --subprocesses samples came from %d processes" % len(pids))
    seen = funcs_seen(collapsed)
    check("pool_work" not in seen and "grandchild_work" not in seen,
          "children sampled without --subprocesses: %s" % seen)


def main():
    report = Report("subprocesses")
    found, skipped = pythons.discover()
    found = pythons.select(found, os.environ.get("PYHEAT_PYTHONS_ONLY"))
    for name, why in skipped:
        report.skip(name, why)
    # one interpreter per family of layouts keeps the suite short
    wanted = [p for p in found if p.major == 3 and p.minor in (8, 12, 14) and not p.debug
              and not p.free_threaded]
    picked = {}
    for p in wanted:
        picked.setdefault(p.minor, p)
    for minor in (8, 12, 14):
        if minor not in picked:
            report.skip("3.%d" % minor, "no such interpreter here")
    for py in picked.values():
        for method in ("fork", "forkserver", "spawn"):
            report.run("%s: --subprocesses with %s" % (py.name, method), family, py, method)
        report.run("%s: without --subprocesses only the root" % py.name, root_only, py)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
