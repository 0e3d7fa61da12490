#!/usr/bin/env python3
"""Pausing the target (--blocking, include/pause.h) against real processes.

1. `dump --blocking` prints what the plain dump prints on a quiet target
   (tests/targets/known_stack.py), on pyenv 2.7, 3.11 and provisioned 3.14;
2. 200 SIGKILLs of a pausing process (tests/tools/pause-stress) at random
   points: the target is never left stopped and keeps advancing; the same
   for 200 SIGKILLs of `pyheat record --blocking` itself (start-up included),
   whose files left behind stay readable;
3. SIGTERM/SIGINT of a pausing process resumes and detaches (TracerPid 0);
4. signals sent to the target while it is paused are delivered;
5. a SIGSTOP'd target stays stopped after the detach and runs on SIGCONT;
6. threads starting and exiting while pausing: no hang, target unharmed;
7. the target exiting while paused: a clean error, no hang;
8. permission: an unprivileged pauser or a second tracer gets exit 68.
The target for 2-8 is tests/targets/progress.py, whose threads publish
counters to a shared file so the test can see it advance."""
import glob
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, ROOT, TARGETS, Failure, Report, Target, check, run_pyheat  # noqa: E402
import pythons  # noqa: E402

UNITS = os.environ.get("PYHEAT_UNITS") or os.path.join(ROOT, "build", "tests")
STRESS = os.path.join(UNITS, "tools", "pause-stress")
KNOWN = os.path.join(TARGETS, "known_stack.py")
PROGRESS = os.path.join(TARGETS, "progress.py")
KILLS = int(os.environ.get("PYHEAT_BLOCKING_KILLS", "200"))
GRACE = 0.2          # seconds the target may take to run again after a kill
SIGRT = 34 + 2       # progress.py's queued signal (SIGRTMIN + 2): never merged
DUMP_PYTHONS = ["pyenv-2.7", "pyenv-3.11", "provisioned-3.14"]


# ---- looking at the target from outside -------------------------------------------

def task_states(pid):
    """{tid: one-letter state} of every thread, from /proc/PID/task/*/stat."""
    out = {}
    for path in glob.glob("/proc/%d/task/*/stat" % pid):
        try:
            with open(path) as fh:
                s = fh.read()
        except OSError:
            continue
        out[int(path.split("/")[-2])] = s[s.rindex(")") + 2]
    return out


def tracer_pid(pid):
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return -1


class Progress(Target):
    """tests/targets/progress.py and its shared counters."""

    def __init__(self, py, *opts):
        self.shared = os.path.join(tempfile.mkdtemp(prefix="pyheat-progress-"), "counters")
        Target.__init__(self, [py.path, PROGRESS] + list(opts) + [self.shared], ready_timeout=60)

    def slots(self):
        with open(self.shared, "rb") as fh:
            data = fh.read(4096)
        return struct.unpack("<512q", data)

    def counters(self):
        s = self.slots()
        return list(s[8:8 + s[2]])

    def total(self):
        return sum(self.counters())

    def stopped_threads(self):
        return {t: s for t, s in task_states(self.pid).items() if s in "tT"}

    def wait_running(self, grace=GRACE, progress=3.0):
        """Within grace seconds no thread is stopped (state t or T) or traced,
        and within `progress` seconds the counters move (a busy machine may
        not run a runnable target at once). Returns the time until no thread
        was stopped; raises Failure otherwise."""
        t0, c0 = time.time(), self.total()
        while True:
            stopped = self.stopped_threads()
            if not stopped and tracer_pid(self.pid) == 0:
                break
            if time.time() - t0 > grace:
                raise Failure("target still stopped %.0f ms later: threads %s, TracerPid %d"
                              % (grace * 1000, stopped, tracer_pid(self.pid)))
            time.sleep(0.001)
        took = time.time() - t0
        while self.total() == c0:
            if time.time() - t0 > progress:
                raise Failure("the target's counters did not move for %.1f s (states %s)"
                              % (progress, task_states(self.pid)))
            time.sleep(0.002)
        return took

    def check_every_thread_advances(self, timeout=5.0):
        a, t0 = self.counters(), time.time()
        while True:
            b = self.counters()
            if all(y > x for x, y in zip(a, b)):
                return
            check(time.time() - t0 < timeout, "a counting thread did not advance in %.0f s: %s -> %s"
                  % (timeout, a, b))
            time.sleep(0.02)


def fields(out):
    """pause-stress's last line: 'key value ...' -> dict."""
    words = out.strip().split("\n")[-1].split()
    return dict(zip(words[0::2], words[1::2]))


class Stress:
    """pause-stress running against a target; waits for its 'ready' line."""

    def __init__(self, pid, seconds, *opts):
        self.proc = subprocess.Popen([STRESS, str(pid), str(seconds)] + list(opts),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            err = self.proc.stderr.read()
            self.proc.wait()
            raise Failure("pause-stress did not attach (exit %s): %s %s" % (self.proc.returncode, line,
                                                                             err.strip()))

    def finish(self, timeout=30):
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise Failure("pause-stress hung (killed after %d s)" % timeout)
        return self.proc.returncode, out, err

    def kill(self):
        self.proc.kill()
        self.proc.communicate()


def run_stress(pid, seconds, *opts):
    s = Stress(pid, seconds, *opts)
    return s.finish(timeout=seconds + 30)


def expect_clean(rc, out, err, what):
    check(rc == 0, "%s: pause-stress exited %d: %s %s" % (what, rc, out.strip(), err.strip()[-800:]))
    f = fields(out)
    check(f.get("not-detached") == "0", "%s: threads left attached: %s" % (what, out.strip()))
    return f


# ---- 1. dump --blocking == dump ----------------------------------------------------

def normalize(doc, busy_idents):
    """What a quiet known_stack target keeps still: everything but the busy
    thread's line and state, and the GIL holder."""
    for t in doc["threads"]:
        t.pop("holds_gil", None)
        t.pop("attached", None)
        if t["thread_id"] in busy_idents:
            t.pop("state", None)
            for f in t["frames"]:
                if f["name"] == "spin":
                    f["line"] = 0
    doc["threads"].sort(key=lambda t: (t["interpreter"], t["tid"]))
    return doc


def normalize_text(text, busy_tids):
    out, skip = [], False
    for line in text.split("\n"):
        if line.startswith("Thread "):
            skip = int(line.split()[1]) in busy_tids
            line = line.replace(", holds GIL", "")
        if not skip:
            out.append(line)
    return "\n".join(out)


def dump(pid, *extra):
    r = run_pyheat(["dump", "--pid", str(pid)] + list(extra))
    check(r.returncode == 0, "dump %s exited %d: %s" % (" ".join(extra), r.returncode,
                                                        r.stderr.strip()))
    return r.stdout


def check_dump_equal(py):
    with Target([py.path, KNOWN], ready_timeout=60) as target:
        busy = {int(k) for k, v in target.ready["threads"].items() if v == "busy"}
        last = None
        for attempt in range(20):
            plain = json.loads(dump(target.pid, "--json"))
            blocking = json.loads(dump(target.pid, "--json", "--blocking"))
            again = json.loads(dump(target.pid, "--json"))
            busy_tids = {t["tid"] for t in plain["threads"] if t["thread_id"] in busy}
            a, b, c = (normalize(d, busy) for d in (plain, blocking, again))
            if a != c or any(t["error"] for t in a["threads"] + c["threads"]):
                last = "the target is not quiet yet (two plain dumps differ)"
            elif a != b:
                last = "--blocking differs from the plain dump:\n%s\n%s" % (
                    json.dumps(a, sort_keys=True)[:1500], json.dumps(b, sort_keys=True)[:1500])
            else:
                ta, tb = dump(target.pid), dump(target.pid, "--blocking")
                if normalize_text(ta, busy_tids) != normalize_text(tb, busy_tids):
                    last = "text output differs:\n%s\n---\n%s" % (ta[:1500], tb[:1500])
                else:
                    last = None
                    break
            time.sleep(0.1)
        if last:
            raise Failure(last)
        check(any(f["name"] in ("Outer.Inner.method", "Inner.method") for t in blocking["threads"]
                  for f in t["frames"]), "the blocking dump lacks the method frame")
        check(tracer_pid(target.pid) == 0, "still traced after dump --blocking")
        stopped = {t: s for t, s in task_states(target.pid).items() if s in "tT"}
        check(not stopped, "threads left stopped after dump --blocking: %s" % stopped)


# ---- 2. SIGKILL of the pausing process ------------------------------------------------

def after_kill(t, what):
    """The target runs again, untraced, right after a kill; returns how long
    it took."""
    try:
        took = t.wait_running()
    except Failure as e:
        raise Failure("%s: %s" % (what, e))
    check(tracer_pid(t.pid) == 0, "%s: TracerPid %d" % (what, tracer_pid(t.pid)))
    return took


def after_kills(t, base, paused_at_kill, min_paused):
    """After the kills: every thread advances, the queued signals sent around
    them arrived, and enough kills found the target paused. Returns how
    many signals arrived."""
    t.check_every_thread_advances()
    deadline = time.time() + 5
    while t.slots()[3] - base < KILLS and time.time() < deadline:
        time.sleep(0.01)
    rt = t.slots()[3] - base
    # ptrace(2): "If the tracer dies, all tracees are automatically detached
    # and restarted ... Handling of restart from signal-delivery-stop is
    # currently buggy: it may 'swallow' the signal." A kill that lands
    # exactly while a signal sits in a signal-delivery-stop can lose it in
    # the kernel; anything more than that rare case is pyheat's fault.
    check(rt >= KILLS - 3, "%d of %d queued signals sent around the kills were delivered" % (rt, KILLS))
    check(paused_at_kill > min_paused, "only %d of %d kills found the target paused: the test "
          "did not test much" % (paused_at_kill, KILLS))
    return rt


def check_kills(py):
    with Progress(py, "--threads", "3") as t:
        worst, paused_at_kill, t0, base = 0.0, 0, time.time(), t.slots()[3]
        for i in range(KILLS):
            opts = ["--shared", t.shared]
            if i % 2:
                opts.append("--walk")          # stacks read between stop and resume
            if i % 3 == 0:
                opts += ["--hold-us", "2000"]  # most of the time stopped
            s = Stress(t.pid, 60, *opts)
            time.sleep(random.uniform(0.005, 0.05))
            paused_at_kill += bool(t.stopped_threads())
            os.kill(t.pid, SIGRT)   # maybe in a signal-delivery-stop at the kill
            s.kill()
            worst = max(worst, after_kill(t, "kill %d (%s)" % (i + 1, " ".join(opts))))
        rt = after_kills(t, base, paused_at_kill, KILLS // 4)
        print("    %d kills in %.1f s, %d with threads seen stopped just before; running again "
              "within %.1f ms at worst; %d of %d queued signals delivered"
              % (KILLS, time.time() - t0, paused_at_kill, worst * 1000, rt, KILLS))


def check_record_kills(py):
    """The same for `pyheat record --blocking` itself, killed at random points
    from its start-up (attach, first pause) to deep into sampling at 1 kHz;
    each raw file it leaves is readable up to its last flush."""
    d = tempfile.mkdtemp(prefix="pyheat-blocking-kills-")
    try:
        with Progress(py, "--threads", "3") as t:
            worst, paused_at_kill, t0, base, readable = 0.0, 0, time.time(), t.slots()[3], 0
            for i in range(KILLS):
                stem = os.path.join(d, "k%d" % i)
                p = subprocess.Popen([PYHEAT, "record", "--pid", str(t.pid), "--blocking", "--rate", "1000",
                                      "--mode", "wall" if i % 2 else "cpu", "--duration", "60", "-o", stem],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
                time.sleep(random.uniform(0.0, 0.25) if i % 4 else random.uniform(0.0, 0.02))
                paused_at_kill += bool(t.stopped_threads())
                os.kill(t.pid, SIGRT)
                p.kill()
                p.communicate()
                worst = max(worst, after_kill(t, "kill %d of pyheat record --blocking" % (i + 1)))
                if i % 20 == 19 and os.path.exists(stem + ".pyheat"):
                    r = run_pyheat(["info", "--json", stem + ".pyheat"])
                    check(r.returncode == 0, "kill %d: pyheat info on the file left behind exited %d: %s"
                          % (i + 1, r.returncode, r.stderr.strip()))
                    readable += 1
            rt = after_kills(t, base, paused_at_kill, KILLS // 10)
            check(readable > 0, "no kill left a raw file behind to read: the file check did not run")
            print("    %d kills of pyheat record --blocking in %.1f s, %d with threads seen stopped just "
                  "before; running again within %.1f ms at worst; %d of %d queued signals delivered; "
                  "%d files left behind read by pyheat info"
                  % (KILLS, time.time() - t0, paused_at_kill, worst * 1000, rt, KILLS, readable))
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---- 3. SIGTERM / SIGINT of the pausing process ------------------------------------------

def check_term(py):
    with Progress(py, "--threads", "3") as t:
        for i in range(10):
            sig = signal.SIGTERM if i % 2 else signal.SIGINT
            s = Stress(t.pid, 60, "--walk", "--hold-us", "2000", "--shared", t.shared)
            time.sleep(random.uniform(0.01, 0.05))
            s.proc.send_signal(sig)
            rc, out, err = s.finish(timeout=10)
            f = expect_clean(rc, out, err, "signal %d" % sig)
            check(f.get("stopped-by") == str(int(sig)), "the loop did not end on the signal: %s" % out)
            check(int(f["cycles"]) > 0, "no pause cycle ran: %s" % out)
            check(tracer_pid(t.pid) == 0, "TracerPid %d after signal %d" % (tracer_pid(t.pid), sig))
            t.wait_running()
        t.check_every_thread_advances()


# ---- 4. signals to the paused target ---------------------------------------------------------

def check_signals(py):
    with Progress(py, "--threads", "3") as t:
        # stopped 5 ms of every 7: a signal sent at a random time most likely
        # arrives while paused, and the target still runs enough to count it
        # (with no gap it runs a few µs per cycle and a loaded machine can
        # starve its counting thread for longer than any deadline)
        s = Stress(t.pid, 60, "--hold-us", "5000", "--gap-us", "2000", "--shared", t.shared)
        # queued (real-time) signals are never merged: every one must arrive
        before = t.slots()
        for _ in range(40):
            os.kill(t.pid, SIGRT)
            time.sleep(0.01)
        deadline = time.time() + 15
        while time.time() < deadline and t.slots()[3] - before[3] < 40:
            time.sleep(0.02)
        rt = t.slots()[3] - before[3]
        # standard signals merge when two are pending at once: allow that rarely
        before = t.slots()
        for _ in range(20):
            os.kill(t.pid, signal.SIGUSR1)
            time.sleep(0.025)
        s.proc.send_signal(signal.SIGTERM)
        rc, out, err = s.finish(timeout=10)
        f = expect_clean(rc, out, err, "signals")
        deadline = time.time() + 15
        while time.time() < deadline and t.slots()[3] - before[3] < 20:
            time.sleep(0.02)
        after = t.slots()
        usr1, handled = after[3] - before[3], after[0] - before[0]
        passed = int(f["signals"])
        check(rt == 40, "%d of 40 queued signals reached the target (%d passed on by the pauser): %s"
              % (rt, passed, out.strip()))
        check(usr1 >= 18, "only %d of 20 SIGUSR1 reached the target: %s" % (usr1, out.strip()))
        check(handled > 0, "the Python handler never ran")
        check(passed >= 40, "%d signal-delivery-stops: the signals did not arrive while attached"
              % passed)
        print("    sent while pausing: 40 queued signals, %d delivered; 20 SIGUSR1, %d delivered; "
              "%d signal-delivery-stops passed on" % (rt, usr1, passed))


# ---- 5. group-stop ------------------------------------------------------------------------

def all_states(pid, want, timeout=2):
    deadline = time.time() + timeout
    while True:
        st = task_states(pid)
        if st and all(s == want for s in st.values()):
            return
        if time.time() > deadline:
            raise Failure("thread states %s, want all %r" % (st, want))
        time.sleep(0.01)


def check_group_stop(py):
    with Progress(py, "--threads", "3") as t:
        # stopped before attaching: stays stopped through pausing and detaching
        os.kill(t.pid, signal.SIGSTOP)
        all_states(t.pid, "T")
        rc, out, err = run_stress(t.pid, 1, "--shared", t.shared)
        expect_clean(rc, out, err, "stopped target")
        all_states(t.pid, "T")
        a = t.total()
        time.sleep(0.2)
        check(t.total() == a, "a SIGSTOP'd target advanced after the detach")
        out = dump(t.pid, "--json", "--blocking")
        all_states(t.pid, "T")
        check(tracer_pid(t.pid) == 0, "TracerPid after dump --blocking of a stopped target")
        states = {th["state"] for th in json.loads(out)["threads"]}
        check(states == {"stopped"}, "dump --blocking of a stopped target shows states %s" % states)
        os.kill(t.pid, signal.SIGCONT)
        t.wait_running()

        # stopped and continued while attached, stopped again before the detach
        s = Stress(t.pid, 60, "--shared", t.shared, "--gap-us", "2000")
        time.sleep(0.2)
        os.kill(t.pid, signal.SIGSTOP)
        time.sleep(0.2)
        a = t.total()
        time.sleep(0.2)
        check(t.total() == a, "the target ran on while SIGSTOP'd and paused (group-stop lost)")
        os.kill(t.pid, signal.SIGCONT)
        a, t0 = t.total(), time.time()
        while t.total() == a:
            check(time.time() - t0 < 3, "the target did not run again on SIGCONT while attached")
            time.sleep(0.01)
        os.kill(t.pid, signal.SIGSTOP)
        time.sleep(0.2)
        s.proc.send_signal(signal.SIGTERM)
        rc, out, err = s.finish(timeout=10)
        f = expect_clean(rc, out, err, "stop/cont while attached")
        check(int(f["group-stops"]) > 0, "no group-stop was seen: %s" % out)
        all_states(t.pid, "T")
        check(tracer_pid(t.pid) == 0, "TracerPid after the detach")
        os.kill(t.pid, signal.SIGCONT)
        t.wait_running()
        t.check_every_thread_advances()


# ---- 6. thread churn ---------------------------------------------------------------------

def check_churn(py):
    with Progress(py, "--threads", "1", "--churn") as t:
        c0 = t.slots()[1]
        rc, out, err = run_stress(t.pid, 3, "--walk", "--shared", t.shared)
        f = expect_clean(rc, out, err, "churn")
        check(int(f["cycles"]) > 100, "too few cycles: %s" % out.strip())
        # (the rate of thread starts depends on the GIL and the machine's load)
        check(int(f["seized"]) > 8, "few new threads were seized: %s" % out.strip())
        check(t.slots()[1] - c0 > 8, "the target started few threads while paused: %s" % out.strip())
        check(f["moved"] == "0", "counters moved while the target was stopped: %s" % out.strip())
        check(int(f["failed-stacks"]) * 100 <= int(f["stacks"]) and f["failed-samples"] == "0",
              "too many stacks could not be read while the target was stopped: %s" % out.strip())
        check(tracer_pid(t.pid) == 0, "TracerPid after the churn run")
        t.wait_running()
        t.check_every_thread_advances()
        zombies = {k: v for k, v in task_states(t.pid).items() if v in "ZX"}
        check(not zombies, "zombie threads left behind: %s" % zombies)
        print("    %s" % out.strip())


# ---- 7. the target exits while paused ---------------------------------------------------------

def check_exit(py):
    # killed while held stopped
    for sig in (signal.SIGKILL, signal.SIGTERM):
        with Progress(py, "--threads", "3") as t:
            s = Stress(t.pid, 60, "--walk", "--hold-us", "20000", "--shared", t.shared)
            time.sleep(0.1)
            os.kill(t.pid, sig)
            rc, out, err = s.finish(timeout=10)
            check(rc == 69, "signal %d to the paused target: pause-stress exited %d, want 69: %s %s"
                  % (sig, rc, out.strip(), err.strip()))
            check("exited" in err or "killed" in err, "no clear message: %r" % err)
            t.proc.wait(timeout=5)
    # exits on its own between and during cycles
    with Progress(py, "--threads", "3", "--exit-after", "0.3") as t:
        rc, out, err = run_stress(t.pid, 30, "--walk", "--shared", t.shared)
        check(rc == 69, "target exiting on its own: pause-stress exited %d, want 69: %s %s"
              % (rc, out.strip(), err.strip()))
    # dump --blocking racing the exit: never hangs, a documented exit code
    with Progress(py, "--threads", "3", "--exit-after", "0.5") as t:
        codes = {}
        deadline = time.time() + 10
        while t.proc.poll() is None and time.time() < deadline:
            r = run_pyheat(["dump", "--pid", str(t.pid), "--blocking"], timeout=10)
            codes[r.returncode] = codes.get(r.returncode, 0) + 1
            check(r.returncode in (0, 65, 69, 73), "dump --blocking exited %d: %s"
                  % (r.returncode, r.stderr))
        check(t.proc.poll() is not None, "the target did not exit")
        check(0 in codes, "no dump succeeded before the exit: %s" % codes)


# ---- 8. permission ----------------------------------------------------------------------------

def check_permission(py):
    with Progress(py, "--threads", "1") as t:
        s = Stress(t.pid, 60, "--gap-us", "5000")
        try:
            r = subprocess.run([STRESS, str(t.pid), "1"], capture_output=True, text=True, timeout=30)
            check(r.returncode == 68, "a second tracer: exit %d, want 68: %s"
                  % (r.returncode, r.stderr))
            check("already traced by process %d" % s.proc.pid in r.stderr, "message: %r" % r.stderr)
            r = run_pyheat(["dump", "--pid", str(t.pid), "--blocking"])
            check(r.returncode == 68, "dump --blocking of a traced target: exit %d: %s"
                  % (r.returncode, r.stderr))
        finally:
            s.proc.send_signal(signal.SIGTERM)
            s.finish(timeout=10)
        if os.geteuid() != 0:
            return
        # an unprivileged pauser against root's target

        def drop():
            os.setgid(65534)
            os.setuid(65534)
        r = subprocess.run([STRESS, str(t.pid), "1"], capture_output=True, text=True, timeout=30,
                           preexec_fn=drop)
        check(r.returncode == 68, "unprivileged: exit %d, want 68: %s" % (r.returncode, r.stderr))
        check(re.search(r"CAP_SYS_PTRACE|ptrace_scope", r.stderr), "the message does not say how to "
              "allow it: %r" % r.stderr)
        t.wait_running()


# ---- main ----------------------------------------------------------------------------------

def pick(found, prefix):
    hits = [p for p in found if p.name.startswith(prefix) and not p.name.endswith("d")]
    return hits[0] if hits else None


def main():
    report = Report("blocking")
    found, skipped = pythons.discover()
    only = os.environ.get("PYHEAT_PYTHONS_ONLY")
    for path, what in ((STRESS, "make units"), (PYHEAT, "make")):
        if not os.access(path, os.X_OK):
            report.fail(os.path.basename(path), "%s is not built (%s)" % (path, what))
            return report.finish()
    dump_pythons = []
    for prefix in DUMP_PYTHONS:
        py = pick(found, prefix)
        if py is None:
            report.skip(prefix, "not installed")
        elif pythons.select([py], only):
            dump_pythons.append(py)
    for py in dump_pythons:
        report.run("%s: dump --blocking prints what dump prints" % py.name, check_dump_equal, py)
    # the process tests: one interpreter (3.11 if there, else the first one selected)
    candidates = pythons.select(found, only)
    py = pick(candidates, "pyenv-3.11") or (candidates[0] if candidates else None)
    if py is None:
        report.skip("process tests", "no interpreter selected")
        return report.finish()
    report.run("%s: %d SIGKILLs of a pausing process never leave the target stopped" % (py.name, KILLS),
               check_kills, py)
    report.run("%s: %d SIGKILLs of pyheat record --blocking never leave the target stopped" % (py.name, KILLS),
               check_record_kills, py)
    report.run("%s: SIGTERM/SIGINT of a pausing process resumes and detaches" % py.name, check_term, py)
    report.run("%s: signals sent while paused are delivered" % py.name, check_signals, py)
    report.run("%s: SIGSTOP/SIGCONT (group-stop) kept across pausing and detaching" % py.name,
               check_group_stop, py)
    for p in dump_pythons or [py]:
        report.run("%s: threads starting and exiting while pausing and walking" % p.name,
                   check_churn, p)
    report.run("%s: the target exiting while paused" % py.name, check_exit, py)
    report.run("%s: a second tracer and an unprivileged one get exit 68" % py.name,
               check_permission, py)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
