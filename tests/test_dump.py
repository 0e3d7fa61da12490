#!/usr/bin/env python3
"""pyheat dump on every interpreter of the matrix, against a target whose
every thread sits at a known stack (tests/targets/known_stack.py): each
frame's name, file and line, every thread, the GIL holder, --json and
--locals, and the text output."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import TARGETS, Failure, Report, Target, check, marks, run_pyheat  # noqa: E402
import pythons  # noqa: E402

MAIN = os.path.join(TARGETS, "known_stack.py")
PY3 = os.path.join(TARGETS, "known_stack_py3_\U0001F600.py")
DEPTH = 1500


def expected_stacks(py):
    """role -> list of (name, file, line or set of lines), innermost first,
    counting only frames in the target's own files."""
    m, p = marks(MAIN), marks(PY3)
    q = py.version >= (3, 11)     # qualified names (co_qualname)
    park = ("park", MAIN, m["park"])
    lam = "main.<locals>.<lambda>" if q else "<lambda>"
    exp = {
        "nested": [park, ("outer_fn.<locals>.nested_fn" if q else "nested_fn", MAIN, m["nested-call"]),
                   ("outer_fn", MAIN, m["outer-call"])],
        "method": [park, ("Outer.Inner.method" if q else "Inner.method", MAIN, m["method-call"])],
        "classmethod": [park, ("Outer.cm", MAIN, m["cm-call"])],
        "generator": [park, ("gen", MAIN, m["gen-call"]), ("consume", MAIN, m["consume-loop"])],
        "lambda": [park, (lam, MAIN, m["lambda-call"])],
        "closure": [park, ("make_closure.<locals>.closure_fn" if q else "closure_fn", MAIN,
                           m["closure-call"])],
        "deep": [park, ("recurse", MAIN, m["deep-park"])] + [("recurse", MAIN, m["deep-call"])] * DEPTH
                + [(lam, MAIN, m["deep-start"])],
        "locals": [park, ("with_locals", MAIN, m["locals-call"])],
        "busy": [("spin", MAIN, {m["busy-a"], m["busy-b"]})],
        "main": [("main", MAIN, m["main-wait"]), ("<module>", MAIN, m["main-call"])],
    }
    if py.major >= 3:
        exp["coroutine"] = [park, ("coro_inner", PY3, p["coro-inner"]), ("coro_outer", PY3, p["coro-outer"]),
                            ("run_coro", PY3, p["coro-run"])]
        exp["cjk"] = [park, ("\u95a2\u6570_\U00020000", PY3, p["cjk-call"])]
    if py.version >= (3, 12):
        exp["subinterp-caller"] = [("run_sub", PY3, p["sub-run"])]
    return exp


def own_frames(frames):
    return [f for f in frames if f["file"] in (MAIN, PY3)]


def same_frame(got, want):
    name, path, line = want
    lines = line if isinstance(line, set) else {line}
    return got["name"] == name and got["file"] == path and got["line"] in lines


def describe(frames, limit=6):
    return ", ".join("%s (%s:%s)" % (f["name"], os.path.basename(f["file"]), f["line"]) for f in frames[:limit])


def dump_json(pid, *extra):
    r = run_pyheat(["dump", "--pid", str(pid), "--json"] + list(extra))
    check(r.returncode == 0, "pyheat dump exited %d: %s" % (r.returncode, r.stderr.strip()))
    try:
        return json.loads(r.stdout), r.stderr
    except ValueError as e:
        raise Failure("dump --json is not JSON (%s): %r" % (e, r.stdout[:300]))


def roles_of(target):
    roles = {int(k): v for k, v in target.ready["threads"].items()}
    sub = target.ready.get("extra", {}).get("subinterp_thread")
    if sub:
        roles[int(sub)] = "subinterp-caller"
    return roles


def check_stacks(py, target, doc):
    exp = expected_stacks(py)
    roles = roles_of(target)
    main_interp = [t for t in doc["threads"] if t["interpreter"] == 0]
    by_ident = {t["thread_id"]: t for t in main_interp}
    # every Python thread of the main interpreter is there, and nothing else
    want_idents = {int(k) for k in target.ready["names"]}
    check(set(by_ident) == want_idents,
          "threads: got idents %s, want %s" % (sorted(by_ident), sorted(want_idents)))
    tasks = set(int(t) for t in os.listdir("/proc/%d/task" % target.pid))
    for t in doc["threads"]:
        check(t["tid"] in tasks, "thread %#x: tid %s is not a task of %d" % (t["thread_id"], t["tid"], target.pid))
        check(t["error"] is None, "thread %#x: %s" % (t["thread_id"], t["error"]))
    for ident, th in by_ident.items():  # Thread.name, read from threading._active
        want_name = target.ready["names"][str(ident)]
        check(th["python_name"] == want_name, "thread %#x: python_name %r, want %r" % (ident, th["python_name"], want_name))
    main = [t for t in main_interp if roles.get(t["thread_id"]) == "main"]
    check(main and main[0]["tid"] == target.pid, "the main thread's tid is not the pid")
    for ident, role in roles.items():
        th = by_ident.get(ident)
        check(th is not None, "thread for role %s (ident %#x) missing" % (role, ident))
        want = exp[role]
        got = own_frames(th["frames"])
        check(len(got) == len(want), "%s: %d own frames, want %d: %s" % (role, len(got), len(want), describe(got)))
        for i, (g, w) in enumerate(zip(got, want)):
            check(same_frame(g, w), "%s frame %d: got %s (%s:%s), want %s (%s:%s)" %
                  (role, i, g["name"], g["file"], g["line"], w[0], w[1], w[2]))
        check(not th["truncated"], "%s: marked truncated" % role)
        if role not in ("busy", "main"):
            check(th["state"] == "idle", "%s: state %s, want idle" % (role, th["state"]))
    if py.version >= (3, 12):
        subs = [t for t in doc["threads"] if t["interpreter"] != 0]
        check(len(subs) == 1, "want one sub-interpreter thread, got %d" % len(subs))
        s = subs[0]
        check(s["interpreter"] == target.ready["extra"]["subinterp_id"], "sub-interpreter id %s, want %s"
              % (s["interpreter"], target.ready["extra"]["subinterp_id"]))
        names = [(f["name"], f["line"]) for f in s["frames"]]
        check(names == [("sub_fn", 4), ("<module>", 5)], "sub-interpreter frames: %s" % names)
        check(s["frames"][0]["file"] in ("<string>", "<script>"), "sub-interpreter file %r" % s["frames"][0]["file"])
        caller = by_ident[target.ready["extra"]["subinterp_thread"]]
        check(s["tid"] == caller["tid"], "sub-interpreter thread tid %s != its caller's %s" % (s["tid"], caller["tid"]))


def check_gil(py, target):
    """The busy thread holds the GIL (or, free-threaded, is attached) and runs.
    The holder flickers while the GIL changes hands, so look a few times."""
    roles = roles_of(target)
    seen = []
    for _ in range(40):
        doc, _ = dump_json(target.pid)
        main = [t for t in doc["threads"] if t["interpreter"] == 0]
        holders = [roles.get(t["thread_id"], "?") for t in main if t["holds_gil"]]
        check(len(holders) <= 1, "several GIL holders: %s" % holders)
        busy = [t for t in main if roles.get(t["thread_id"]) == "busy"][0]
        if py.free_threaded:
            check(not holders, "free-threaded build reported a GIL holder")
            attached = [roles.get(t["thread_id"], "?") for t in main if t.get("attached")]
            if attached == ["busy"] and busy["state"] == "running":
                return
            seen.append(attached)
        else:
            if holders == ["busy"] and busy["state"] == "running":
                return
            seen.append((holders, busy["state"]))
        time.sleep(0.05)
    raise Failure("the busy thread never showed as the running GIL holder: %s" % seen[-5:])


def check_locals(py, target):
    doc, _ = dump_json(target.pid, "--locals")
    roles = roles_of(target)
    th = [t for t in doc["threads"] if roles.get(t["thread_id"]) == "locals"][0]
    fr = [f for f in th["frames"] if f["name"] == "with_locals"][0]
    got = {l["name"]: l["value"] for l in fr["locals"]}
    want = {"i": "42", "f": "2.5", "s": "'hello'", "b": "b'by'" if py.major >= 3 else "'by'", "t": "True",
            "n": "None", "l": "<list len=3>", "tu": "<tuple len=2>", "d": "<dict len=1>"}
    check(got == want, "locals of with_locals: %s, want %s" % (got, want))
    park = [f for f in th["frames"] if f["name"] == "park"][0]
    check({l["name"]: l["value"] for l in park["locals"]} == {"role": "'locals'"},
          "locals of park: %s" % park["locals"])


def check_text(py, target):
    r = run_pyheat(["dump", "--pid", str(target.pid)])
    check(r.returncode == 0, "text dump exited %d: %s" % (r.returncode, r.stderr))
    m = marks(MAIN)
    name = "Outer.Inner.method" if py.version >= (3, 11) else "Inner.method"
    check("    %s (%s:%d)\n" % (name, MAIN, m["method-call"]) in r.stdout, "text dump lacks the method frame")
    check(r.stdout.startswith("Process %d: " % target.pid), "text dump header: %r" % r.stdout[:80])
    check("Python %d.%d." % (py.major, py.minor) in r.stdout, "text dump lacks the Python version")
    check(r.stdout.count("\nThread ") == len(target.ready["names"]) + (1 if py.version >= (3, 12) else 0),
          "text dump thread count")


def test_python(report, py):
    try:
        target = Target([py.path, MAIN], ready_timeout=60)
    except Failure as e:
        report.fail("%s: start target" % py.name, str(e))
        return
    with target:
        doc = None

        def stacks():
            # threads reach their park line just after reporting in: look again briefly
            last = None
            for _ in range(20):
                d, _ = dump_json(target.pid)
                try:
                    check_stacks(py, target, d)
                    return
                except Failure as e:
                    last = e
                time.sleep(0.1)
            raise last
        report.run("%s: every frame of every thread" % py.name, stacks)
        report.run("%s: GIL holder and running state" % py.name, check_gil, py, target)
        report.run("%s: --locals" % py.name, check_locals, py, target)
        report.run("%s: text output" % py.name, check_text, py, target)
        check(target.proc.poll() is None, "target died")


def main():
    report = Report("dump")
    found, skipped = pythons.discover()
    found = pythons.select(found, os.environ.get("PYHEAT_PYTHONS_ONLY"))
    for name, why in skipped:
        report.skip(name, why)
    for py in found:
        print("interpreter %s (%s)" % (py.name, py.path), flush=True)
        test_python(report, py)
    print("interpreters tested: %s" % " ".join(p.name for p in found))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
