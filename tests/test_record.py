#!/usr/bin/python3
"""pyheat record on real processes.

  1. accuracy: tests/targets/shares.py spends about 50/30/20% of its CPU in
     alpha(), beta() and gamma() and measures each one's CPU time itself
     (per-thread CPU clock); recorded at 1 kHz for 10 s (cpu mode), pyheat's
     own share of each (pyheat info --json, cross-checked against the
     collapsed output) is within +-2 percentage points of that truth, on every
     interpreter of the matrix, with no retries. Two interpreters at a time
     (measured: running pairs does not change the errors, about 0.4 pp at
     most either way); the target and its pyheat each get their own session
     (autogroup) at nice -20 when we may, so unrelated load on the machine
     does not starve them: cpu mode samples threads in state R, which
     includes waiting for a CPU, so a starved target's samples pile up
     wherever it was preempted (errors of 5-30 pp measured on a loaded
     2-core machine without this);
     PYHEAT_ACCURACY_SECONDS shortens it (default 3 s when PYHEAT_SAN=1);
  2. launch mode: exit status passthrough (7, 128+15, 127), a 200 ms script
     is still sampled in its function, stdin/stdout pass through, Ctrl-C to
     the foreground group reaches the command (exit 3, "interrupted", a
     complete raw file);
  3. attach mode: SIGINT stops it with complete outputs, --duration 2 lasts
     about 2 s at about the requested rate, the default stem
     pyheat-PID-UTC, -o - streams collapsed stacks, --no-raw keeps no raw
     file, cpu mode never samples sleeping threads while wall mode samples
     every thread (one that never ran Python code too, as [no Python
     frames]) and gil mode only the GIL holder;
  4. a target exiting mid-recording: pyheat ends by itself, 0, complete file;
  5. pyheat SIGKILLed mid-recording: the raw file reads as cut short, with
     samples, and report renders it with a note;
  6. bad options 64, a non-Python process 66, no such process 65, each with
     one line;
  7. on every interpreter: a thread-churning target and a 1,500-deep
     recursion, errors under 5% of samples, the deep stack whole, and no
     thread sampled twice in one tick (read from the raw file with a small
     decoder of docs/FORMAT.md, checked against info's counts).
"""
import calendar
import collections
import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, TARGETS, Failure, Report, Target, check, marks, run_pyheat  # noqa: E402
import pythons  # noqa: E402

SHARES = os.path.join(TARGETS, "shares.py")
SHORT = os.path.join(TARGETS, "short.py")
INTERRUPT = os.path.join(TARGETS, "interrupt.py")
MODES = os.path.join(TARGETS, "modes.py")
DEEP = os.path.join(TARGETS, "deep.py")
CHURN = os.path.join(TARGETS, "churn.py")
STEADY = os.path.join(TARGETS, "steady.py")
PY = sys.executable  # the interpreter of the tests that are not per interpreter

SAN = os.environ.get("PYHEAT_SAN") == "1"
ACC_SECONDS = float(os.environ.get("PYHEAT_ACCURACY_SECONDS") or (3 if SAN else 10))
ACC_JOBS = max(1, int(os.environ.get("PYHEAT_ACCURACY_JOBS") or 2))
ACC_RATE = 1000
ACC_TOLERANCE_PP = 2.0
ACC_FUNCS = ("alpha", "beta", "gamma")

FRAME_RE = re.compile(r"^(.*) \((.*):(-?\d+)\)$")
TRUNCATED, EMPTY = "[truncated]", "[no Python frames]"


# ---- helpers ----------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def die_with_us():
    """preexec_fn: SIGKILL the child when this test dies, so that no busy
    target outlives a killed run (it survives the exec)."""
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def boost():
    """preexec_fn: die_with_us, and a session (so an autogroup) of its own at
    nice -20 when allowed; without privileges only die_with_us."""
    die_with_us()
    try:
        os.setsid()
    except OSError:
        pass
    try:
        with open("/proc/self/autogroup", "w") as fh:
            fh.write("-20")
    except (IOError, OSError):
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -20)
    except OSError:
        pass


def nice_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[16])
    except (IOError, OSError, ValueError, IndexError):
        return None


def popen_pyheat(args, **kw):
    kw.setdefault("preexec_fn", die_with_us)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.Popen([PYHEAT] + list(args), universal_newlines=True, **kw)


def record(args, timeout=120, **kw):
    kw.setdefault("preexec_fn", die_with_us)
    t0 = time.time()
    r = run_pyheat(["record"] + list(args), timeout=timeout, **kw)
    r.wall = time.time() - t0
    return r


def ok_record(args, **kw):
    r = record(args, **kw)
    check(r.returncode == 0, "pyheat record %s exited %d: %s" % (" ".join(args), r.returncode,
                                                                 r.stderr.strip()[-600:]))
    return r


def info_json(path):
    r = run_pyheat(["info", "--json", path])
    check(r.returncode == 0, "pyheat info --json %s exited %d: %s" % (path, r.returncode, r.stderr.strip()))
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Failure("pyheat info --json is not JSON (%s): %r" % (e, r.stdout[:300]))


def parse_collapsed(text, what="collapsed output"):
    """[(frames outermost first, count)]; a frame is (name, file, line), or
    (marker, None, None) for [truncated] and [no Python frames]."""
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        stack, sep, count = line.rpartition(" ")
        check(sep and stack and count.isdigit() and int(count) > 0,
              "%s line %d is not 'STACK COUNT': %r" % (what, no, line[:200]))
        frames = []
        for fr in stack.split(";"):
            if fr in (TRUNCATED, EMPTY):
                frames.append((fr, None, None))
                continue
            m = FRAME_RE.match(fr)
            check(m, "%s line %d: frame %r is not 'name (file:line)'" % (what, no, fr[:200]))
            frames.append((m.group(1), m.group(2), int(m.group(3))))
        out.append((frames, int(count)))
    check(text == "" or text.endswith("\n"), "%s does not end with a newline" % what)
    return out


def report_collapsed(path):
    """The collapsed stacks of a raw file, and report's stderr."""
    r = run_pyheat(["report", path, "-f", "collapsed", "-o", "-"])
    check(r.returncode == 0, "pyheat report %s exited %d: %s" % (path, r.returncode, r.stderr.strip()))
    return parse_collapsed(r.stdout, "report -f collapsed of %s" % os.path.basename(path)), r.stderr


def total(stacks):
    return sum(n for _, n in stacks)


def samples_with(stacks, name, path):
    """Samples whose stack has a frame of function `name` in file `path`."""
    return sum(n for frames, n in stacks if any(f[0] == name and f[1] == path for f in frames))


def own_counts(stacks):
    c = collections.Counter()
    for frames, n in stacks:
        c[frames[-1][:2]] += n
    return c


# ---- the raw file's samples (docs/FORMAT.md), for what no output shows ----------

def _varint(buf, pos):
    v = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return v, pos


def _svarint(buf, pos):
    v, pos = _varint(buf, pos)
    return (v >> 1) ^ -(v & 1), pos


def raw_samples(path):
    """[(thread id, time in us, stack id)] of every sample of a .pyheat file,
    {thread id: (pid, tid)} and {stack id: number of frames}; decoded here,
    independently of pyheat."""
    with open(path, "rb") as fh:
        data = fh.read()
    check(data[:8] == b"\x89PYHEAT\n", "%s: not a pyheat file" % path)
    meta_len = int.from_bytes(data[12:16], "little")
    pos = 16
    _, pos = _svarint(data, pos)            # pid
    _, pos = _varint(data, pos)             # rate_hz
    _, pos = _svarint(data, pos)            # start_unix_ns
    tick_ns, pos = _varint(data, pos)
    pos = 16 + meta_len + 4
    samples, threads, depths = [], {}, {}
    while pos + 16 <= len(data) and data[pos:pos + 4] == b"CHNK":
        n = int.from_bytes(data[pos + 4:pos + 8], "little")
        chunk = data[pos + 16:pos + 16 + n]
        pos += 16 + n
        if len(chunk) < n:
            break                              # cut short
        state, last, last_tick, last_jitter = {}, None, 0, 0
        cp = 0
        while cp < len(chunk):
            kind = chunk[cp]
            length, cp = _varint(chunk, cp + 1)
            body, cp = chunk[cp:cp + length], cp + length
            if kind == 4:                      # STACK
                sid, q = _varint(body, 0)
                depths[sid], q = _varint(body, q)
            elif kind == 5:                    # THREAD
                tid_, q = _varint(body, 0)
                tpid, q = _svarint(body, q)
                ttid, q = _svarint(body, q)
                threads[tid_] = (tpid, ttid)
            elif kind == 7:                    # SAMPLES
                count, q = _varint(body, 0)
                _, q = _varint(body, q)
                for _ in range(count):
                    b = body[q]
                    q += 1
                    if b < 0x80:
                        th = state[last]["next"]
                        st = state[th]
                        stack, tick = st["stack"], st["tick"] + 1
                        low = b & 0x7f
                        jitter = last_jitter + (low - 128 if low >= 64 else low)
                    else:
                        if b & 0x40:
                            th, q = _varint(body, q)
                        else:
                            th = state[last]["next"]
                        st = state.setdefault(th, {"tick": last_tick, "stack": 0, "flags": 0, "next": None})
                        stack = st["stack"]
                        if b & 0x20:
                            d, q = _svarint(body, q)
                            stack += d
                        if b & 0x10:
                            st["flags"], q = _varint(body, q)
                        if b & 7 == 7:
                            d, q = _svarint(body, q)
                            tick = st["tick"] + d
                        else:
                            tick = st["tick"] + (b & 7)
                        jitter = last_jitter
                        if b & 0x08:
                            d, q = _svarint(body, q)
                            jitter += d
                    st["tick"], st["stack"] = tick, stack
                    if last is not None:
                        state[last]["next"] = th
                    last, last_tick, last_jitter = th, tick, jitter
                    samples.append((th, tick * tick_ns // 1000 + jitter, stack))
    return samples, threads, depths


def check_once_per_tick(path, doc):
    """Each thread is sampled at most once per tick: the samples of one tick
    share the tick's time, so no thread may have two samples with one time.
    Thread id 0 stands for every thread state whose OS thread pyheat could not
    find (one that has just ended): a few of those may share a tick, not
    dozens."""
    samples, threads, depths = raw_samples(path)
    check(len(samples) == doc["samples"], "decoded %d samples of %s, info reads %d" %
          (len(samples), os.path.basename(path), doc["samples"]))
    per_thread = collections.Counter(threads.get(th) for th, _, _ in samples)
    want = dict(((t["pid"], t["tid"]), t["samples"]) for t in doc["threads"] if t["samples"])
    check(dict(per_thread) == want, "decoded samples per thread differ from info's")
    ticks = collections.defaultdict(list)
    for th, t, stack in samples:
        ticks[(th, t)].append(depths.get(stack))
    dup = [(k, v) for k, v in ticks.items() if len(v) > (8 if threads.get(k[0], (0, 0))[1] == 0 else 1)]
    if dup:
        (th, t), v = max(dup, key=lambda kv: len(kv[1]))
        extra = sum(len(v) - 1 for _, v in dup)
        frameless = sum(len(v) - 1 for _, v in dup if v.count(0) >= len(v) - 1)
        raise Failure("%d samples are extra copies of a thread in a tick it was already sampled in (%d of them "
                      "beside an empty stack: a frameless thread state with another thread's id); e.g. thread "
                      "(pid, tid) %s %d times at %.3f s, stacks of %s frames" %
                      (extra, frameless, threads.get(th), len(v), t / 1e6, sorted(v)))


def one_line(r, what):
    err = r.stderr.strip("\n")
    check(err and "\n" not in err and err.startswith("pyheat: "),
          "%s: want one 'pyheat: ...' line on stderr, got %r" % (what, r.stderr[:500]))
    check(r.stdout == "", "%s: stdout should be empty, got %r" % (what, r.stdout[:300]))


class TempDir:
    def __init__(self, prefix="pyheat-record-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def __call__(self, *parts):
        return os.path.join(self.path, *parts)

    def files(self):
        return sorted(os.listdir(self.path))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def run(report, name, fn, *args):
    """report.run, with any other exception (an OSError, a KeyError from a
    document without the expected field) a failure of that check, not of the
    suite."""
    def guarded():
        try:
            fn(*args)
        except (Failure, subprocess.TimeoutExpired):
            raise
        except Exception as e:
            raise Failure("%s: %s" % (type(e).__name__, e))
    report.run(name, guarded)


def target(argv, **kw):
    kw.setdefault("preexec_fn", die_with_us)
    return Target(argv, ready_timeout=60, **kw)


def modes_target(py=PY, *opts, **kw):
    return target([py, MODES] + list(opts), **kw)


# ---- 1. accuracy ------------------------------------------------------------

class AccuracyRun:
    """shares.py on one interpreter and pyheat recording it, started together."""

    def __init__(self, py, tmp):
        self.py = py
        self.stem = tmp("acc-%s" % py.name)
        self.truth_path = tmp("truth-%s.json" % py.name)
        self.target = target([py.path, SHARES, self.truth_path], preexec_fn=boost)
        try:
            os.kill(self.target.pid, signal.SIGUSR1)    # the measured window starts
            self.proc = popen_pyheat(["record", "--rate", str(ACC_RATE), "--duration", "%g" % ACC_SECONDS,
                                      "--pid", str(self.target.pid), "-o", self.stem], preexec_fn=boost)
        except Exception:
            self.target.kill()
            raise
        self.boosted = nice_of(self.target.pid) == -20 and nice_of(self.proc.pid) == -20
        self.figure = None

    def finish(self):
        try:
            self._finish()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.communicate()
            self.target.kill()

    def _finish(self):
        out, err = self.proc.communicate(timeout=ACC_SECONDS + 120)
        check(self.proc.returncode == 0, "pyheat record exited %d: %s" % (self.proc.returncode, err.strip()[-600:]))
        os.kill(self.target.pid, signal.SIGUSR2)        # ... and ends: the target writes the truth
        deadline = time.time() + 30
        while not os.path.exists(self.truth_path):
            check(self.target.proc.poll() is None, "the target died")
            check(time.time() < deadline, "the target wrote no truth file")
            time.sleep(0.02)
        with open(self.truth_path) as fh:
            truth = json.load(fh)
        doc = info_json(self.stem + ".pyheat")
        check(doc["complete"], "the raw file is not complete")
        n = doc["samples"]
        want = ACC_RATE * ACC_SECONDS
        check(n >= 0.5 * want, "%d samples, want about %d (%g s at %d Hz)" % (n, want, ACC_SECONDS, ACC_RATE))
        rows = {r["function"]: r for r in doc["top"] if r["file"] == SHARES}
        # the same shares, computed from the collapsed stacks
        stacks, _ = report_collapsed(self.stem + ".pyheat")
        own = own_counts(stacks)
        check(total(stacks) == n, "collapsed stacks count %d samples, info %d" % (total(stacks), n))
        got, errs = {}, {}
        for fn in ACC_FUNCS:
            check(fn in rows, "%s is not among info's top functions: %s" %
                  (fn, [(r["function"], r["file"]) for r in doc["top"]]))
            got[fn] = rows[fn]["own"]
            check(rows[fn]["samples_own"] == own[(fn, SHARES)],
                  "%s: info says %d own samples, the collapsed stacks %d" %
                  (fn, rows[fn]["samples_own"], own[(fn, SHARES)]))
            check(abs(got[fn] - own[(fn, SHARES)] / float(n)) < 1e-5, "%s: info's own share %.6f != %d/%d" %
                  (fn, got[fn], own[(fn, SHARES)], n))
            errs[fn] = 100.0 * (got[fn] - truth[fn])
        worst = max(abs(e) for e in errs.values())
        self.figure = worst
        oncpu = truth["cpu_s"] / truth["wall_s"] if truth["wall_s"] > 0 else 0
        detail = "  ".join("%s %.1f%% vs %.1f%% (%+.2f pp)" % (fn, 100 * got[fn], 100 * truth[fn], errs[fn])
                           for fn in ACC_FUNCS)
        print("    %s: %s; max %.2f pp; %d samples, errors %d; target on a CPU %.0f%% of the time%s" %
              (self.py.name, detail, worst, n, doc["errors"], 100 * oncpu,
               "" if self.boosted else " (not prioritized)"), flush=True)
        check(worst <= ACC_TOLERANCE_PP, "own shares off by up to %.2f pp (limit %.1f): %s%s" %
              (worst, ACC_TOLERANCE_PP, detail,
               "; the target was on a CPU only %.0f%% of the time" % (100 * oncpu) if oncpu < 0.9 else ""))


def test_accuracy(report, found):
    figures = {}
    with TempDir() as tmp:
        for i in range(0, len(found), ACC_JOBS):
            runs = []
            for py in found[i:i + ACC_JOBS]:
                try:
                    runs.append(AccuracyRun(py, tmp))
                except Failure as e:
                    report.fail("%s: accuracy: start" % py.name, str(e))
            for ar in runs:
                run(report, "%s: own shares within +-%g pp at %d Hz for %g s" %
                    (ar.py.name, ACC_TOLERANCE_PP, ACC_RATE, ACC_SECONDS), ar.finish)
                figures[ar.py.name] = ar.figure
    return figures


# ---- 2. launch mode -----------------------------------------------------------

def test_exit_codes(tmp):
    r = record(["-o", tmp("exit7"), "--", PY, "-c", "import sys; sys.exit(7)"])
    check(r.returncode == 7, "a command exiting 7 at once: pyheat exited %d (%s)" % (r.returncode, r.stderr.strip()))
    # the same, once recorded for a while: the raw file is complete too
    r = record(["-o", tmp("exit7b"), "--", PY, "-c",
                "import sys, time\nend = time.time() + 0.5\nwhile time.time() < end: pass\nsys.exit(7)"])
    check(r.returncode == 7, "a command exiting 7 after 0.5 s: pyheat exited %d (%s)" %
          (r.returncode, r.stderr.strip()))
    doc = info_json(tmp("exit7b.pyheat"))
    check(doc["complete"] and doc["samples"] > 0, "exit 7 after 0.5 s: complete %s, %d samples" %
          (doc["complete"], doc["samples"]))
    r = record(["-o", tmp("term"), "--", PY, "-c",
                "import os, signal, time\ntime.sleep(0.3)\nos.kill(os.getpid(), signal.SIGTERM)"])
    check(r.returncode == 128 + signal.SIGTERM, "a command killed by SIGTERM: pyheat exited %d, want %d (%s)" %
          (r.returncode, 128 + signal.SIGTERM, r.stderr.strip()[-300:]))
    r = record(["-o", tmp("nope"), "--", tmp("no-such-command")])
    check(r.returncode == 127, "a command that cannot be started: pyheat exited %d, want 127" % r.returncode)


def test_short_script(tmp):
    ok_record(["-o", tmp("short"), "--", PY, SHORT])
    stacks, _ = report_collapsed(tmp("short.pyheat"))
    m = marks(SHORT)
    hits = samples_with(stacks, "short_busy", SHORT)
    # 200 ms at the default 100 Hz: about 20 samples, less the time to attach
    # (an ASan build attaches several times slower)
    least = 1 if SAN else 5
    check(hits >= least, "%d samples in short_busy (of %d); want at least %d of about 20: %s" %
          (hits, total(stacks), least, [(f[-1][0], n) for f, n in stacks]))
    body = set(range(m["short-def"] + 1, m["short-return"] + 1))
    lines = set(f[-1][2] for f, n in stacks if f[-1][:2] == ("short_busy", SHORT))
    check(lines <= body, "short_busy sampled at lines %s, outside its body (%d-%d)" %
          (sorted(lines), min(body), max(body)))


def test_stdio(tmp):
    code = ("import sys, time\ntime.sleep(0.3)\nline = sys.stdin.readline()\n"
            "sys.stdout.write('echo:' + line)\nsys.stdout.flush()\ntime.sleep(0.2)\n")
    r = record(["-o", tmp("stdio"), "--", PY, "-c", code], input="hello pyheat\n")
    check(r.returncode == 0, "pyheat exited %d: %s" % (r.returncode, r.stderr.strip()))
    check("echo:hello pyheat\n" in r.stdout, "the command's echo is not on pyheat's stdout: %r" % r.stdout[:500])
    check(info_json(tmp("stdio.pyheat"))["complete"], "raw file not complete")


def test_ctrl_c(tmp):
    ready = tmp("interrupt.ready")
    # pyheat leads a process group of its own, as a shell's foreground job
    # would; Ctrl-C is SIGINT to that whole group
    p = popen_pyheat(["record", "-o", tmp("ctrlc"), "--", PY, INTERRUPT, ready], start_new_session=True)
    try:
        deadline = time.time() + 30
        while not os.path.exists(ready):
            if p.poll() is not None:
                raise Failure("pyheat exited %s before the command was ready: %s" %
                              (p.returncode, p.stderr.read()[-500:]))
            check(time.time() < deadline, "the command never got ready")
            time.sleep(0.02)
        time.sleep(0.5)
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
    check(p.returncode == 3, "pyheat exited %d, want the command's 3: %s" % (p.returncode, err.strip()[-500:]))
    check("interrupted\n" in out, "the command did not print 'interrupted': stdout %r" % out[:500])
    doc = info_json(tmp("ctrlc.pyheat"))
    check(doc["complete"], "the raw file is not complete")
    stacks, _ = report_collapsed(tmp("ctrlc.pyheat"))
    check(samples_with(stacks, "spin_until_interrupted", INTERRUPT) > 0,
          "no sample in spin_until_interrupted: %s" % [(f[-1][0], n) for f, n in stacks][:10])


# ---- 3. attach mode -----------------------------------------------------------

def test_sigint_attach(tmp):
    with modes_target() as t:
        stem = tmp("sigint")
        p = popen_pyheat(["record", "--pid", str(t.pid), "-o", stem, "-f", "collapsed"])
        try:
            time.sleep(1.5)
            if p.poll() is not None:
                raise Failure("pyheat ended early (%s): %s" % (p.returncode, p.stderr.read()[-500:]))
            t0 = time.time()
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=30)
            took = time.time() - t0
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        check(p.returncode == 0, "pyheat exited %d after SIGINT: %s" % (p.returncode, err.strip()[-500:]))
        check(took < 5, "pyheat took %.1f s to end after SIGINT" % took)
        check(t.proc.poll() is None, "the target died")
        doc = info_json(stem + ".pyheat")
        check(doc["complete"], "raw file not complete after SIGINT")
        check(doc["samples"] > 0, "no samples")
        check(0.5 < doc["duration_s"] < 1.5 + took + 1, "duration %.2f s for a recording stopped after 1.5 s" %
              doc["duration_s"])
        check(os.path.exists(stem + ".collapsed"), "no %s.collapsed" % stem)
        check(stem + ".collapsed" in out.splitlines(), "the collapsed path is not printed: %r" % out[-500:])
        with open(stem + ".collapsed") as fh:
            stacks = parse_collapsed(fh.read(), "sigint.collapsed")
        check(total(stacks) == doc["samples"], "sigint.collapsed counts %d samples, the raw file %d" %
              (total(stacks), doc["samples"]))
        check(samples_with(stacks, "busy_main", MODES) > 0, "busy_main is not in sigint.collapsed")


def test_duration_rate(tmp):
    rate, secs = 200, 2.0
    # prioritized (see boost) so that load from elsewhere cannot starve the sampler
    with modes_target(preexec_fn=boost) as t:
        nthreads = t.ready["threads"]
        r = ok_record(["--pid", str(t.pid), "--duration", "%g" % secs, "--rate", str(rate), "--mode", "wall",
                       "-o", tmp("dur")], preexec_fn=boost)
        check(1.5 <= r.wall <= 6, "--duration 2 took %.2f s of wall time" % r.wall)
        doc = info_json(tmp("dur.pyheat"))
        check(doc["complete"], "raw file not complete")
        check(abs(doc["duration_s"] - secs) < 0.3, "recorded duration %.3f s, want about %g" %
              (doc["duration_s"], secs))
        want = secs * rate * nthreads
        n = doc["samples"]
        check(abs(n - want) <= 0.3 * want, "%d samples, want %d +-30%% (%g s x %d Hz x %d threads)" %
              (n, want, secs, rate, nthreads))
        check(len(doc["threads"]) == nthreads, "%d threads in the file, want %d" % (len(doc["threads"]), nthreads))
        check_once_per_tick(tmp("dur.pyheat"), doc)
        print("    --duration %g --rate %d, %d threads, wall mode: %.2f s, %d samples (want %d)" %
              (secs, rate, nthreads, r.wall, n, want), flush=True)


def test_default_stem(tmp):
    with modes_target() as t, TempDir() as cwd:
        before = time.time()
        r = ok_record(["--pid", str(t.pid), "--duration", "0.5", "-f", "collapsed"], cwd=cwd.path)
        after = time.time()
        files = cwd.files()
        raws = [f for f in files if f.endswith(".pyheat")]
        check(len(raws) == 1, "files written: %s" % files)
        m = re.match(r"^pyheat-%d-(\d{8}T\d{6}Z)\.pyheat$" % t.pid, raws[0])
        check(m, "raw file %r is not pyheat-%d-YYYYmmddTHHMMSSZ.pyheat" % (raws[0], t.pid))
        when = calendar.timegm(time.strptime(m.group(1), "%Y%m%dT%H%M%SZ"))
        check(before - 2 <= when <= after + 1, "stem time %s is not the UTC time of the recording" % m.group(1))
        stem = raws[0][:-len(".pyheat")]
        check(files == sorted([stem + ".collapsed", stem + ".pyheat"]), "files written: %s" % files)
        check("wrote %s.pyheat" % stem in r.stdout, "'wrote %s.pyheat' not printed: %r" % (stem, r.stdout[-400:]))
        check(info_json(cwd(raws[0]))["complete"], "raw file not complete")


def test_stdout_stream(tmp):
    with modes_target() as t, TempDir() as cwd, TempDir() as tmpdir:
        env = dict(os.environ, TMPDIR=tmpdir.path)
        r = ok_record(["--pid", str(t.pid), "--duration", "0.5", "-o", "-", "-f", "collapsed"], cwd=cwd.path, env=env)
        stacks = parse_collapsed(r.stdout, "record -o - stdout")
        check(stacks and samples_with(stacks, "busy_main", MODES) > 0,
              "no busy_main stack on stdout: %r" % r.stdout[:300])
        m = re.search(r"^pyheat: (\d+) samples", r.stderr, re.M)
        check(m, "no summary on stderr: %r" % r.stderr[:300])
        check(int(m.group(1)) == total(stacks), "stdout counts %d samples, the summary %s" %
              (total(stacks), m.group(1)))
        check(cwd.files() == [], "-o - left files in the working directory: %s" % cwd.files())
        check(tmpdir.files() == [], "-o - left files in TMPDIR: %s" % tmpdir.files())


def test_no_raw(tmp):
    with modes_target() as t, TempDir() as cwd, TempDir() as tmpdir:
        env = dict(os.environ, TMPDIR=tmpdir.path)
        r = ok_record(["--pid", str(t.pid), "--duration", "0.5", "-o", "out", "-f", "collapsed", "--no-raw"],
                      cwd=cwd.path, env=env)
        check(cwd.files() == ["out.collapsed"], "--no-raw: files written %s, want only out.collapsed" % cwd.files())
        check(tmpdir.files() == [], "--no-raw left files in TMPDIR: %s" % tmpdir.files())
        with open(cwd("out.collapsed")) as fh:
            stacks = parse_collapsed(fh.read(), "out.collapsed")
        check(samples_with(stacks, "busy_main", MODES) > 0, "no busy_main in out.collapsed")
        check(".pyheat" not in r.stdout, "--no-raw still reports a raw file: %r" % r.stdout[-300:])


def test_frameless_thread(tmp):
    """A thread that runs no Python code (started on a C function) is a
    thread state without frames: wall mode samples it as [no Python frames],
    like every other thread, and it may well be the first sample."""
    with modes_target(PY, "--cthread") as t:
        nthreads = t.ready["threads"]
        stem = tmp("cthread")
        ok_record(["--pid", str(t.pid), "--mode", "wall", "--duration", "0.5", "-o", stem])
    doc = info_json(stem + ".pyheat")
    stacks, _ = report_collapsed(stem + ".pyheat")
    empty = sum(n for f, n in stacks if [x[0] for x in f] == [EMPTY])
    n = total(stacks)
    check(n > 0 and abs(empty / float(n) - 1.0 / nthreads) <= 0.05,
          "%d of %d samples are [no Python frames], want 1/%d of them" % (empty, n, nthreads))
    check(doc["samples_without_python"] == empty, "info counts %d samples without Python frames, the "
          "collapsed stacks %d" % (doc["samples_without_python"], empty))


def record_mode(tmp, t, mode, name, secs=1.5, rate=200):
    stem = tmp(name)
    ok_record(["--pid", str(t.pid), "--duration", "%g" % secs, "--rate", str(rate), "--mode", mode, "-o", stem])
    doc = info_json(stem + ".pyheat")
    check(doc["mode"] == mode, "the file says mode %r, want %r" % (doc["mode"], mode))
    stacks, _ = report_collapsed(stem + ".pyheat")
    check(total(stacks) > 0, "%s mode: no samples" % mode)
    return doc, stacks


def shares_of(stacks, names):
    n = float(total(stacks))
    return dict((fn, samples_with(stacks, fn, MODES) / n) for fn in names)


def test_cpu_wall(py, tmp):
    names = ("busy_main", "sleeper_a", "sleeper_b")
    with modes_target(py.path) as t:
        _, cpu = record_mode(tmp, t, "cpu", "cpu-%s" % py.name)
        _, wall = record_mode(tmp, t, "wall", "wall-%s" % py.name)
    c, w = shares_of(cpu, names), shares_of(wall, names)
    print("    %s: cpu mode %s; wall mode %s" % (py.name, fmt_shares(c), fmt_shares(w)), flush=True)
    check(c["sleeper_a"] == 0 and c["sleeper_b"] == 0, "cpu mode sampled sleeping threads: %s" % fmt_shares(c))
    check(c["busy_main"] >= 0.95, "cpu mode: busy_main in %.1f%% of the samples, want nearly all" %
          (100 * c["busy_main"]))
    for fn in names:
        check(abs(w[fn] - 1 / 3.0) <= 0.05, "wall mode: %s in %.1f%% of the samples, want 33%% +-5" %
              (fn, 100 * w[fn]))


def test_gil(py, tmp):
    names = ("busy_main", "nogil_loop", "sleeper_a", "sleeper_b")
    with modes_target(py.path, "--nogil") as t:
        _, cpu = record_mode(tmp, t, "cpu", "cpu-nogil-%s" % py.name)
        gdoc, gil = record_mode(tmp, t, "gil", "gil-%s" % py.name)
    c, g = shares_of(cpu, names), shares_of(gil, names)
    print("    %s: cpu mode %s; gil mode %s" % (py.name, fmt_shares(c), fmt_shares(g)), flush=True)
    # the zlib thread runs without the GIL: on a CPU (cpu mode) but not the holder
    check(c["nogil_loop"] >= 0.25, "cpu mode: the thread compressing without the GIL is in only %.1f%% "
          "of the samples" % (100 * c["nogil_loop"]))
    check(g["sleeper_a"] == 0 and g["sleeper_b"] == 0, "gil mode sampled sleeping threads: %s" % fmt_shares(g))
    check(g["nogil_loop"] <= 0.1, "gil mode: the thread running without the GIL is in %.1f%% of the samples"
          % (100 * g["nogil_loop"]))
    check(g["busy_main"] >= 0.85, "gil mode: the GIL holder busy_main in only %.1f%%" % (100 * g["busy_main"]))
    ticks = gdoc["duration_s"] * gdoc["rate_hz"]
    check(gdoc["samples"] <= ticks * 1.05 + 5, "gil mode: %d samples in %.0f ticks: more than one thread per "
          "tick" % (gdoc["samples"], ticks))


def test_gil_free_threaded(py, tmp):
    """A free-threaded build: with the GIL disabled (its default) gil mode is
    refused at once, by name; with PYTHON_GIL=1 the GIL exists again and gil
    mode samples its holder as on any build."""
    with modes_target(py.path) as t:
        r = record(["--pid", str(t.pid), "--duration", "1", "--mode", "gil", "-o", tmp("ft-off")])
    one_line(r, "gil mode on a free-threaded target")
    err = r.stderr.strip()
    check(r.returncode == 67, "exit %d, want 67 (unsupported): %s" % (r.returncode, err))
    for want in ("free-threaded", "GIL disabled", "--mode cpu"):
        check(want in err, "the message lacks %r: %s" % (want, err))
    check(not os.path.exists(tmp("ft-off") + ".pyheat"), "a raw file was written anyway")
    env = dict(os.environ, PYTHON_GIL="1")
    names = ("busy_main", "sleeper_a", "sleeper_b")
    with modes_target(py.path, env=env) as t:
        doc, gil = record_mode(tmp, t, "gil", "ft-on")
    g = shares_of(gil, names)
    print("    %s with PYTHON_GIL=1: gil mode %s" % (py.name, fmt_shares(g)), flush=True)
    check(g["busy_main"] >= 0.85 and g["sleeper_a"] == 0 and g["sleeper_b"] == 0,
          "gil mode with the GIL enabled: %s" % fmt_shares(g))


def fmt_shares(d):
    return ", ".join("%s %.1f%%" % (k, 100 * v) for k, v in sorted(d.items()))


# ---- 4. the target exits, 5. pyheat is killed -----------------------------------

def test_target_exits(tmp):
    with modes_target(PY, "--exit-after", "1.5") as t:
        # the target stays unreaped (a zombie) until we wait for it, as under
        # a parent that is busy: pyheat must see that it exited all the same
        r = record(["--pid", str(t.pid), "--duration", "30", "-o", tmp("exits")], timeout=60)
        check(r.returncode == 0, "pyheat exited %d when the target exited: %s" % (r.returncode, r.stderr.strip()))
        check(r.wall < 10, "pyheat took %.1f s; the target exited after 1.5 s" % r.wall)
        check(t.proc.wait(timeout=10) == 5, "the target's exit status is not 5")
    doc = info_json(tmp("exits.pyheat"))
    check(doc["complete"], "raw file not complete")
    check(doc["samples"] > 0, "no samples")
    check(0.5 < doc["duration_s"] < 5, "duration %.2f s, the target lived about 1.5 s" % doc["duration_s"])


def test_sigkill(tmp):
    with modes_target() as t:
        stem = tmp("killed")
        p = popen_pyheat(["record", "--pid", str(t.pid), "--duration", "60", "-o", stem, "-f", "collapsed"])
        time.sleep(2.0)
        check(p.poll() is None, "pyheat ended early (%s)" % p.returncode)
        p.kill()
        p.communicate()
        check(t.proc.poll() is None, "the target died with pyheat")
    check(not os.path.exists(stem + ".collapsed"), "a collapsed file from a killed recording")
    doc = info_json(stem + ".pyheat")
    check(not doc["complete"], "info --json says complete for a recording cut short")
    check(doc["samples"] > 0, "no samples read from the file cut short")
    check(doc["duration_s"] > 0.5, "duration %.2f s of a 2 s recording" % doc["duration_s"])
    r = run_pyheat(["info", stem + ".pyheat"])
    check(r.returncode == 0 and "cut short" in r.stdout, "info does not say cut short: %d %r" %
          (r.returncode, r.stdout[:300]))
    stacks, err = report_collapsed(stem + ".pyheat")
    check("cut short" in err, "report's note missing: %r" % err)
    check(err.count("\n") == 1, "report should print one note, got %r" % err)
    check(total(stacks) == doc["samples"], "report renders %d samples, info reads %d" % (total(stacks), doc["samples"]))


# ---- 6. errors ----------------------------------------------------------------------

def test_usage_errors(tmp):
    with modes_target() as t, TempDir() as cwd:
        pid = str(t.pid)
        cases = [
            (["--rate", "0", "--pid", pid], "--rate 0"),
            (["--mode", "bogus", "--pid", pid], "--mode bogus"),
            (["--pid", pid, "--", PY, "-c", "pass"], "both --pid and a command"),
            ([], "neither --pid nor a command"),
            (["-o", "x", "--duration", "1"], "options but neither --pid nor a command"),
        ]
        for args, what in cases:
            r = record(args, cwd=cwd.path)
            check(r.returncode == 64, "%s: exit %d, want 64 (%s)" % (what, r.returncode, r.stderr.strip()))
            one_line(r, what)
        check(cwd.files() == [], "usage errors left files: %s" % cwd.files())


def test_not_python(tmp):
    p = subprocess.Popen(["sleep", "60"], preexec_fn=die_with_us)
    try:
        time.sleep(0.1)
        with TempDir() as cwd:
            r = record(["--pid", str(p.pid), "--duration", "1"], cwd=cwd.path)
            check(r.returncode == 66, "--pid of sleep(1): exit %d, want 66 (%s)" % (r.returncode, r.stderr.strip()))
            one_line(r, "--pid of a non-Python process")
            check(cwd.files() == [], "files left: %s" % cwd.files())
    finally:
        p.kill()
        p.wait()


def test_no_process(tmp):
    p = subprocess.Popen(["true"])
    p.wait()            # reaped: the pid is free
    with TempDir() as cwd:
        r = record(["--pid", str(p.pid), "--duration", "1"], cwd=cwd.path)
        check(r.returncode == 65, "--pid of no process: exit %d, want 65 (%s)" % (r.returncode, r.stderr.strip()))
        one_line(r, "--pid of no process")
        check(cwd.files() == [], "files left: %s" % cwd.files())


# ---- 7. churn and depth on every interpreter ----------------------------------------------

def expected_deep():
    """The deep target's one stack, outermost first: (name, file, lines)."""
    m = marks(DEEP)
    depth = 1500
    return ([("<module>", DEEP, {m["module-call"]}), ("main", DEEP, {m["main-call"]})] +
            [("recurse", DEEP, {m["recurse-call"]})] * (depth - 1) +
            [("recurse", DEEP, {m["recurse-bottom"]}),
             ("bottom", DEEP, {m["bottom"] - 1, m["bottom"]})])   # the loop's two lines


def is_stack(frames, want):
    return len(frames) == len(want) and all(f[0] == w[0] and f[1] == w[1] and f[2] in w[2]
                                            for f, w in zip(frames, want))


def describe(frames):
    short = [(f[0], sorted(f[2]) if isinstance(f[2], set) else f[2]) for f in frames]
    if len(short) > 8:
        return "%d frames: %s ... %s" % (len(short), short[:3], short[-4:])
    return str(short)


def expected_steady(doc):
    """A steady worker's stack below its thread's bootstrap frames:
    (name, file, lines), outermost first."""
    m = marks(STEADY)
    depth = doc["depth"]
    return ([("level", STEADY, {m["level-call"]})] * (depth - 1) +
            [("level", STEADY, {m["level-bottom"]}),
             ("spin", STEADY, {m["spin"] - 1, m["spin"]})])   # the loop's two lines


class ChurnDeep:
    """The churning, the deep and the steady target on one interpreter,
    recorded at the same time; each check then reads its own recording."""

    def __init__(self, py, tmp):
        self.py, self.tmp = py, tmp
        self.outs = {}
        deep = target([py.path, DEEP])
        try:
            churn = target([py.path, CHURN, tmp("churn-shm-%s" % py.name)])
        except Exception:
            deep.kill()
            raise
        try:
            steady = target([py.path, STEADY])
        except Exception:
            deep.kill()
            churn.kill()
            raise
        self.steady_doc = steady.ready
        procs = []
        try:
            procs.append(("deep", popen_pyheat(["record", "--pid", str(deep.pid), "--duration", "1.5", "--rate", "200",
                                                "-o", self.path("deep")])))
            procs.append(("churn", popen_pyheat(["record", "--pid", str(churn.pid), "--duration", "1.5",
                                                 "--rate", "1000", "--mode", "wall", "-o", self.path("churn")])))
            procs.append(("steady", popen_pyheat(["record", "--pid", str(steady.pid), "--duration", "1.5",
                                                  "--rate", "1000", "--mode", "wall", "-o", self.path("steady")])))
            for what, p in procs:
                out, err = p.communicate(timeout=120)
                self.outs[what] = (p.returncode, err)
        finally:
            for _, p in procs:
                if p.poll() is None:
                    p.kill()
                    p.communicate()
            deep.kill()
            churn.kill()
            steady.kill()

    def path(self, what):
        return self.tmp("%s-%s.pyheat" % (what, self.py.name))[:-len(".pyheat")]

    def recorded(self, what):
        """info --json of a recording, checked: pyheat 0, complete, samples,
        errors under 5% of them."""
        rc, err = self.outs[what]
        check(rc == 0, "pyheat record exited %d: %s" % (rc, err.strip()[-300:]))
        doc = info_json(self.path(what) + ".pyheat")
        check(doc["complete"] and doc["samples"] > 0, "complete %s, %d samples" % (doc["complete"], doc["samples"]))
        print("    %s %s: %d samples, %d errors, %d threads" % (self.py.name, what, doc["samples"], doc["errors"],
                                                            len(doc["threads"])), flush=True)
        check(doc["errors"] < 0.05 * doc["samples"], "%d errors for %d samples (want under 5%%)" %
              (doc["errors"], doc["samples"]))
        return doc

    def churn_errors(self):
        self.recorded("churn")

    def churn_once_per_tick(self):
        check(self.outs["churn"][0] == 0, "no recording")
        check_once_per_tick(self.path("churn") + ".pyheat", info_json(self.path("churn") + ".pyheat"))

    def deep_stack(self):
        doc = self.recorded("deep")
        check_once_per_tick(self.path("deep") + ".pyheat", doc)
        stacks, _ = report_collapsed(self.path("deep") + ".pyheat")
        want = expected_deep()
        bad = [(f, n) for f, n in stacks if not is_stack(f, want)]
        check(not bad, "%d of %d samples are not the 1,500-deep stack; e.g. %s; want %s" %
              (sum(n for _, n in bad), total(stacks), describe(bad[0][0]) if bad else "", describe(want)))


    def steady_stacks(self):
        """Steady threads at 1 kHz: nearly every sample after a thread's first
        goes through the ring as a repeat of its previous one (sampler.h). A
        repeat the aggregator cannot match counts as a drop, and one matched
        to the wrong thread or stack shows as a wrong stack or as threads with
        unequal counts."""
        doc = self.recorded("steady")
        check(doc["drops"] == 0, "%d samples dropped (a repeat the aggregator could not match is a drop)"
              % doc["drops"])
        check_once_per_tick(self.path("steady") + ".pyheat", doc)
        stacks, _ = report_collapsed(self.path("steady") + ".pyheat")
        want = expected_steady(self.steady_doc)
        workers = [(f, n) for f, n in stacks if any(x[0] == "spin" for x in f)]
        bad = [(f, n) for f, n in workers if not is_stack(f[-len(want):], want)]
        check(not bad, "%d of %d worker samples are not the %d-deep steady stack; e.g. %s; want %s" %
              (sum(n for _, n in bad), total(workers), len(want), describe(bad[0][0]) if bad else "",
               describe(want)))
        counts = sorted(t["samples"] for t in doc["threads"] if t["samples"])
        n_threads = self.steady_doc["threads"] + 1   # and the main thread
        check(len(counts) == n_threads, "%d threads sampled, want %d: %s" % (len(counts), n_threads, counts))
        # every thread is sampled at every tick it is read at: their counts
        # differ only by the ticks a thread could not be read
        check(counts[0] >= 0.95 * counts[-1] and counts[-1] >= 1000 * 1.5 * 0.5,
              "samples per thread %s: want equal counts, about 1,500 each" % counts)
        # each thread's samples carry its own stack: the main thread's (it
        # sleeps) never a worker's, and the other way round
        main = sum(t["samples"] for t in doc["threads"] if t["tid"] == doc["pid"])
        check(total(workers) == sum(counts) - main and main > 0,
              "%d samples have a worker's stack, but the workers have %d samples (the main thread %d)"
              % (total(workers), sum(counts) - main, main))


def test_churn_deep(report, py, tmp):
    try:
        cd = ChurnDeep(py, tmp)
    except (Failure, subprocess.TimeoutExpired, OSError) as e:
        report.fail("%s: churn and deep targets: start and record" % py.name, str(e))
        return
    run(report, "%s: thread churn, errors under 5%%" % py.name, cd.churn_errors)
    run(report, "%s: thread churn, no thread sampled twice in a tick" % py.name, cd.churn_once_per_tick)
    run(report, "%s: 1,500-deep stack whole, errors under 5%%" % py.name, cd.deep_stack)
    run(report, "%s: steady threads at 1 kHz: repeats carry the right stack, no drops" % py.name,
        cd.steady_stacks)


# ---- main ------------------------------------------------------------------------

def pick(found, *prefixes):
    """The first interpreter of each kind, in the order given."""
    out = []
    for pre in prefixes:
        for py in found:
            if py.name.startswith(pre) and not py.free_threaded and not py.debug and py not in out:
                out.append(py)
                break
    return out


def main():
    report = Report("record")
    t0 = time.time()
    found, skipped = pythons.discover()
    found = pythons.select(found, os.environ.get("PYHEAT_PYTHONS_ONLY"))
    for name, why in skipped:
        report.skip(name, why)

    with TempDir() as tmp:
        print("launch mode (%s)" % PY, flush=True)
        run(report, "launch: exit status passes through (7, 128+SIGTERM, 127)", test_exit_codes, tmp)
        run(report, "launch: a 200 ms script is sampled in its function", test_short_script, tmp)
        run(report, "launch: stdin and stdout pass through", test_stdio, tmp)
        run(report, "launch: Ctrl-C reaches the command; its status, a complete file", test_ctrl_c, tmp)

        print("attach mode (%s)" % PY, flush=True)
        run(report, "attach: SIGINT writes complete outputs", test_sigint_attach, tmp)
        run(report, "attach: --duration 2 at the requested rate", test_duration_rate, tmp)
        run(report, "attach: default stem pyheat-PID-UTC", test_default_stem, tmp)
        run(report, "attach: -o - streams collapsed stacks to stdout", test_stdout_stream, tmp)
        run(report, "attach: --no-raw keeps no raw file", test_no_raw, tmp)
        run(report, "attach: a thread without Python frames, wall mode", test_frameless_thread, tmp)
        run(report, "attach: the target exits mid-recording", test_target_exits, tmp)
        run(report, "attach: pyheat SIGKILLed mid-recording", test_sigkill, tmp)
        run(report, "errors: bad options exit 64 with one line", test_usage_errors, tmp)
        run(report, "errors: a non-Python process exits 66", test_not_python, tmp)
        run(report, "errors: no such process exits 65", test_no_process, tmp)

        mode_pys = pick(found, "pyenv-2.7", "system", "provisioned-3.15", "provisioned-3.14")
        if not mode_pys:
            report.skip("sampling modes", "none of pyenv-2.7, system, provisioned-3.15/3.14 selected")
        for py in mode_pys:
            print("modes on %s" % py.name, flush=True)
            run(report, "%s: cpu mode skips sleeping threads, wall mode samples all" % py.name, test_cpu_wall, py, tmp)
            run(report, "%s: gil mode samples only the GIL holder" % py.name, test_gil, py, tmp)

        ft = [py for py in found if py.free_threaded]
        if not ft:
            report.skip("free-threaded gil mode", "no free-threaded interpreter selected")
        for py in ft[:1]:
            run(report, "%s: gil mode refused while the GIL is disabled, works with PYTHON_GIL=1" % py.name,
                test_gil_free_threaded, py, tmp)

        print("thread churn and a 1,500-deep stack on every interpreter", flush=True)
        for py in found:
            test_churn_deep(report, py, tmp)

    print("accuracy: %d interpreters, %g s each at %d Hz, %d at a time" % (len(found), ACC_SECONDS, ACC_RATE, ACC_JOBS),
          flush=True)
    t_acc = time.time()
    figures = test_accuracy(report, found)
    print("accuracy took %.0f s; max |error| per interpreter: %s" % (time.time() - t_acc,
          ", ".join("%s %s" % (k, "%.2f pp" % v if v is not None else "n/a") for k, v in figures.items())))
    print("interpreters tested: %s" % " ".join(p.name for p in found))
    print("record suite time %.0f s" % (time.time() - t0))
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
