#!/usr/bin/python3
"""pyheat report and pyheat info on real profile files.

The files are written by the real profile writer (tests/tools/make-profile,
driven by a script this test generates) with known threads, stacks, sample
times and hostile names; every expectation is computed here, independently,
from the same list of samples:

  - the collapsed output has exactly the expected lines and counts, for the
    whole recording and under --from/--to/--pid/--tid;
  - the speedscope output validates against the schema shipped in the npm
    package `speedscope` (checked with ajv; both installed with npm into
    build/npm, or $PYHEAT_NPM_DIR) and holds each thread's stacks in order;
  - speedscope's own offline app (dist/release/index.html of that package,
    from file://) in headless Chromium (Debian's, driven by playwright-core
    from npm: tests/browser/open-speedscope.js) opens the files through its
    Browse button and through `speedscope FILE`'s #localProfilePath= route:
    page title, toolbar and profile selector show the command line and every
    thread's name and weight, each thread's sandwich table holds the
    expected frames with their total and self time, the flame chart has
    coloured pixels (the root frame across its width), no console or page
    error, no dialog, no network; names built to run code (</script>,
    onerror=, javascript:) run nothing (window.__pwned unset) and make no
    element; an empty selection is the app's "imported, but empty", and a
    file cut short shows the app's error box, not a profile. Screenshots go
    to build/test-html/. Skipped only without chromium, node or npm;
  - the Chrome trace has name/ph/ts/pid/tid on every event, balanced and
    nested B/E per thread, the expected spans and thread names;
  - hostile names (</script>, ';' and newlines, ESC sequences, C1 controls,
    invalid UTF-8) stay inert: every JSON output parses and round-trips them,
    the collapsed format escapes them as documented;
  - info prints the counts, the top table and complete vs cut short;
  - a corrupt file: exit 70 and one stderr line; a file cut short renders
    with one note; bad options: exit 64 and one line.
"""
import collections
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import ROOT, Failure, Report, check, run_pyheat  # noqa: E402

UNITS = os.environ.get("PYHEAT_UNITS") or os.path.join(ROOT, "build", "tests")
MAKE_PROFILE = os.path.join(UNITS, "tools", "make-profile")
NPM_DIR = os.environ.get("PYHEAT_NPM_DIR") or os.path.join(ROOT, "build", "npm")
BROWSER_DIR = os.path.join(ROOT, "tests", "browser")
CHROMIUM = os.environ.get("PYHEAT_CHROMIUM") or "/usr/bin/chromium"
OUT_DIR = os.path.join(ROOT, "build", "test-html")   # screenshots, for a person to look at

MS = 1000000
RATE = 100
TICK = 1000000000 // RATE
RUNNING, HOLDS_GIL, TRUNCATED = 1, 2, 8

HOSTILE = {
    "script": "</script><script>alert(1)</script>",
    "semi": "a;b\nc",
    "esc": "\x1b[31mred\x1b[0m\x07bell",
    "quote": "quote\"s & <tags> \\ back",
    "cjk": "\u95a2\u6570_\U00020000",
    "c1": "c1\u009b2J",
}
BAD_UTF8 = b"bad\xff\xfename"


def enc(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


class Profile:
    """A profile as a list of tables and samples: writes make-profile's
    script and answers what every output should hold."""

    def __init__(self, pid=4242, mode="cpu", rate=RATE):
        self.meta = {"pid": pid, "rate": rate, "start": 1700000000123000000,
                     "cmdline": "python3 app.py --serve", "exe": "/usr/bin/python3.12",
                     "python": "3.12.1", "mode": mode, "host": "testhost", "version": "0.1.0"}
        self.strings = {}
        self.funcs = []      # (name, file, firstlineno)
        self.frames = []     # (func, line)
        self.stacks = []     # [frame] innermost first
        self.threads = []    # (pid, tid, name)
        self.samples = []    # (t_ns, thread, stack, flags)
        self.sources = []    # (file, text)
        self.counts = (0, 0)
        self.flush_every = 50

    def s(self, text):
        b = enc(text)
        if b not in self.strings:
            self.strings[b] = len(self.strings)
        return self.strings[b]

    def func(self, name, file, first):
        self.funcs.append((enc(name), enc(file), first))
        self.s(name), self.s(file)
        return len(self.funcs) - 1

    def frame(self, func, line):
        self.frames.append((func, line))
        return len(self.frames) - 1

    def stack(self, *frames):
        self.stacks.append(list(frames))
        return len(self.stacks) - 1

    def thread(self, pid, tid, name):
        self.threads.append((pid, tid, enc(name)))
        self.s(name)
        return len(self.threads) - 1

    def sample(self, t_ns, thread, stack, flags=RUNNING):
        self.samples.append((t_ns, thread, stack, flags))

    def script(self, end="close"):
        h = lambda b: b.hex() if b else "-"  # noqa: E731
        out = []
        for k, v in self.meta.items():
            out.append("meta %s %s" % (k, v if isinstance(v, int) else h(enc(v))))
        for b, i in sorted(self.strings.items(), key=lambda kv: kv[1]):
            out.append("string %d %s" % (i, h(b)))
        for i, (name, file, first) in enumerate(self.funcs):
            out.append("func %d %d %d %d" % (i, self.strings[name], self.strings[file], first))
        for i, (fn, line) in enumerate(self.frames):
            out.append("frame %d %d %d" % (i, fn, line))
        for i, st in enumerate(self.stacks):
            out.append("stack %d %s" % (i, " ".join(map(str, st))))
        for i, (pid, tid, name) in enumerate(self.threads):
            out.append("thread %d %d %d %d" % (i, pid, tid, self.strings[name]))
        for file, text in self.sources:
            out.append("source %d %s" % (self.strings[enc(file)], h(enc(text))))
        last_tick = None
        for t, th, st, fl in self.samples:
            tick = t // TICK
            if self.flush_every and last_tick is not None and tick // self.flush_every != last_tick // self.flush_every:
                out.append("flush")
            last_tick = tick
            out.append("sample %d %d %d %d" % (t, th, st, fl))
        out.append("counts %d %d" % self.counts)
        out.append("close %d" % self.duration() if end == "close" else "abort")
        return "\n".join(out) + "\n"

    def duration(self):
        return (max(t for t, _, _, _ in self.samples) // TICK + 1) * TICK if self.samples else 0

    def write(self, path, end="close"):
        r = subprocess.run([MAKE_PROFILE, path], input=self.script(end).encode(), capture_output=True,
                           timeout=60)
        if r.returncode != 0:
            raise Failure("make-profile failed: %s" % r.stderr.decode("utf-8", "replace").strip())

    # ---- expectations ----
    def selected(self, frm=None, to=None, pid=None, tid=None):
        out = []
        for s in self.samples:
            t, th, _, _ = s
            tpid, ttid, _ = self.threads[th]
            if frm is not None and t < frm * 1e9 - 0.5:
                continue
            if to is not None and t >= to * 1e9 - 0.5:
                continue
            if pid is not None and tpid != pid:
                continue
            if tid is not None and ttid != tid:
                continue
            out.append(s)
        return out

    def frame_info(self, fr):
        fn, line = self.frames[fr]
        name, file, first = self.funcs[fn]
        return name, file, line

    def collapsed(self, samples):
        counts = collections.Counter()
        for _, _, st, fl in samples:
            parts = [b"[truncated]"] if fl & TRUNCATED else []
            frames = self.stacks[st]
            if not frames:
                parts.append(b"[no Python frames]")
            for fr in reversed(frames):
                name, file, line = self.frame_info(fr)
                parts.append(fold(name) + b" (" + fold(file) + b":" + str(line).encode() + b")")
            counts[b";".join(parts)] += 1
        return sorted(b"%s %d" % (k, v) for k, v in counts.items())

    def func_counts(self, samples):
        """{(name, file): [own, total]}"""
        out = collections.defaultdict(lambda: [0, 0])
        for _, _, st, _ in samples:
            frames = self.stacks[st]
            seen = set()
            for i, fr in enumerate(frames):
                name, file, _ = self.frame_info(fr)
                key = (name, file)
                if i == 0:
                    out[key][0] += 1
                if key not in seen:
                    seen.add(key)
                    out[key][1] += 1
        return out


def utf8_len(b, i):
    """Length of the valid UTF-8 sequence at b[i], 0 if invalid."""
    c = b[i]
    if c < 0x80:
        return 1
    n = 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef else 4 if 0xf0 <= c <= 0xf4 else 0
    if not n:
        return 0
    try:
        b[i:i + n].decode("utf-8")
    except UnicodeDecodeError:
        return 0
    return n


def fold(b):
    """The collapsed format's escape (include/export.h), written independently."""
    out, i = bytearray(), 0
    while i < len(b):
        c, n = b[i], utf8_len(b, i)
        if n == 0 or c < 0x20 or c == 0x7f or c in b";\\":
            out += b"\\x%02x" % c
            i += 1
        elif n == 2 and c == 0xc2 and b[i + 1] <= 0x9f:
            out += b"\\x%02x\\x%02x" % (c, b[i + 1])
            i += 2
        else:
            out += b[i:i + n]
            i += n
    return bytes(out)


def wilson(k, n, z=1.959963984540054):
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (0.0 if k == 0 else c - h), (1.0 if k == n else c + h)


def build_main():
    """Three threads in two processes over 2 s at 100 Hz, with recursion,
    hostile names, an empty stack and truncated samples."""
    p = Profile()
    main = p.func("main", "app.py", 1)
    compute = p.func("compute", "app.py", 10)
    helper = p.func("helper", "lib/util.py", 3)
    rec = p.func("recurse", "app.py", 20)
    h_script = p.func(HOSTILE["script"], "evil.py", 1)
    h_semi = p.func(HOSTILE["semi"], "evil;dir/x\\y.py", 2)
    h_esc = p.func(HOSTILE["esc"], "evil.py", 3)
    h_quote = p.func(HOSTILE["quote"], "evil.py", 4)
    h_cjk = p.func(HOSTILE["cjk"], "app.py", 30)
    h_c1 = p.func(HOSTILE["c1"], "evil.py", 5)
    h_bad = p.func(BAD_UTF8, b"bad\xc0\xaf.py", 6)
    F = p.frame
    s_compute = p.stack(F(compute, 12), F(main, 5))
    s_helper = p.stack(F(helper, 4), F(compute, 14), F(main, 5))
    r22 = F(rec, 22)
    s_rec = p.stack(F(rec, 21), r22, r22, F(main, 6))
    m7 = F(main, 7)
    s_script = p.stack(F(h_script, 1), m7)
    s_semi = p.stack(F(h_semi, 2), F(h_esc, 3), m7)
    s_empty = p.stack()
    s_mix = p.stack(F(h_cjk, 31), F(h_c1, 5), F(h_bad, 6), F(h_quote, 4), F(main, 8))
    t0 = p.thread(4242, 4242, "MainThread")
    t1 = p.thread(4242, 4243, "worker </script>\x1b[2J")
    t2 = p.thread(4250, 4250, "child")
    p.sources.append(("app.py", "def main():\n    pass\n"))
    p.counts = (3, 2)
    for k in range(200):
        base = k * TICK + (k * 37 % 500) * 1000      # jitter below 0.5 ms
        st = s_compute if k < 80 else s_helper if k < 120 else s_rec if k < 160 else s_mix
        p.sample(base, t0, st, RUNNING | HOLDS_GIL)
        if k < 150 and k % 2 == 0:
            p.sample(base, t1, s_script if k % 4 == 0 else s_semi)
        elif k >= 150:
            p.sample(base, t1, s_empty, 0)
        if 50 <= k < 100:
            p.sample(base, t2, s_helper, RUNNING | (TRUNCATED if k >= 90 else 0))
    return p


class Env:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pyheat-report-")
        self.prof = build_main()
        self.path = os.path.join(self.dir, "main.pyheat")
        self.prof.write(self.path)

    def new_dir(self, name):
        d = os.path.join(self.dir, name)
        os.makedirs(d, exist_ok=True)
        return d


def report(args, **kw):
    r = subprocess.run([os.environ.get("PYHEAT") or os.path.join(ROOT, "pyheat"), "report"] + args,
                       capture_output=True, timeout=120, **kw)
    check(r.returncode >= 0, "pyheat report died of signal %d: %r" % (-r.returncode, r.stderr[-500:]))
    return r


def ok_report(args):
    r = report(args)
    check(r.returncode == 0, "report %s exited %d: %s" % (" ".join(args), r.returncode,
                                                          r.stderr.decode("utf-8", "replace")))
    check(r.stderr == b"", "report wrote to stderr: %r" % r.stderr)
    return r


def expect_usage(r, *needles):
    check(r.returncode == 64, "exit %d, want 64; stderr=%r" % (r.returncode, r.stderr))
    err = r.stderr.decode() if isinstance(r.stderr, bytes) else r.stderr
    out = r.stdout.decode() if isinstance(r.stdout, bytes) else r.stdout
    lines = err.splitlines()
    check(len(lines) == 1 and lines[0].startswith("pyheat: "), "want one 'pyheat: ' line: %r" % err)
    check(out == "", "usage error printed on stdout: %r" % out)
    for n in needles:
        check(n in lines[0], "%r does not mention %r" % (lines[0], n))


def collapsed_lines(data):
    check(data == b"" or data.endswith(b"\n"), "collapsed output does not end with a newline")
    return sorted(data[:-1].split(b"\n")) if data else []


# ---- collapsed ----------------------------------------------------------------

def test_collapsed_whole(env):
    out = env.new_dir("whole")
    stem = os.path.join(out, "all")
    r = ok_report([env.path, "-f", "collapsed", "-o", stem])
    check(r.stdout.decode().splitlines() == [stem + ".collapsed"], "printed %r" % r.stdout)
    with open(stem + ".collapsed", "rb") as fh:
        data = fh.read()
    got, want = collapsed_lines(data), env.prof.collapsed(env.prof.samples)
    check(got == want, "collapsed differs:\n got %s\nwant %s" % (got, want))
    check(data.split(b"\n")[:-1] == sorted(data.split(b"\n")[:-1]), "collapsed lines are not sorted")
    total = sum(int(l.rsplit(b" ", 1)[1]) for l in got)
    check(total == len(env.prof.samples), "counts add to %d, want %d" % (total, len(env.prof.samples)))


def test_collapsed_stdout(env):
    r = ok_report([env.path, "-f", "collapsed", "-o", "-"])
    got, want = collapsed_lines(r.stdout), env.prof.collapsed(env.prof.samples)
    check(got == want, "-o - differs from the expected lines")


def test_filters(env):
    cases = [
        (["--from", "0.5", "--to", "1"], dict(frm=0.5, to=1.0)),
        (["--from", "1.25"], dict(frm=1.25)),
        (["--to", "0.3"], dict(to=0.3)),
        (["--pid", "4250"], dict(pid=4250)),
        (["--pid", "4242"], dict(pid=4242)),
        (["--tid", "4243"], dict(tid=4243)),
        (["--tid", "4243", "--from", "1.4", "--to", "1.6"], dict(tid=4243, frm=1.4, to=1.6)),
        (["--pid", "4250", "--tid", "4242"], dict(pid=4250, tid=4242)),
        (["--from", "5"], dict(frm=5)),
    ]
    for args, sel in cases:
        r = ok_report([env.path, "-f", "collapsed", "-o", "-"] + args)
        samples = env.prof.selected(**sel)
        got, want = collapsed_lines(r.stdout), env.prof.collapsed(samples)
        check(got == want, "%s: got %s\nwant %s" % (" ".join(args), got, want))
        if sel in (dict(pid=4250, tid=4242), dict(frm=5)):
            check(got == [], "%s selects nothing, got %s" % (" ".join(args), got))
        else:
            check(got, "%s selected nothing" % " ".join(args))


def test_hostile_collapsed(env):
    r = ok_report([env.path, "-f", "collapsed", "-o", "-"])
    data = r.stdout
    check(b"\x1b" not in data and b"\x07" not in data and b"\xc2\x9b" not in data and b"\xff" not in data,
          "a control character or invalid UTF-8 reached the collapsed output")
    check(b"a\\x3bb\\x0ac (evil\\x3bdir/x\\x5cy.py:2)" in data, "';', newline and '\\' not escaped as \\xNN")
    check(b"\\x1b[31mred\\x1b[0m\\x07bell" in data, "ESC not escaped")
    check(b"c1\\xc2\\x9b2J" in data, "C1 control not escaped")
    check(b"bad\\xff\\xfename (bad\\xc0\\xaf.py:6)" in data, "invalid UTF-8 not escaped")
    check("\u95a2\u6570_\U00020000".encode() in data, "valid UTF-8 was mangled")
    for line in data.decode("utf-8").splitlines():
        stack, count = line.rsplit(" ", 1)
        check(count.isdigit(), "line does not end with a count: %r" % line)
        # flamegraph.pl's own parse: frames split on ';'
        for frame in stack.split(";"):
            check(frame.endswith(")") or frame in ("[truncated]", "[no Python frames]"),
                  "a frame was split by an unescaped ';': %r" % frame)


# ---- file names and formats ------------------------------------------------------

def test_default_stem(env):
    d = env.new_dir("stem")
    path = os.path.join(d, "run.pyheat")
    shutil.copy(env.path, path)
    r = ok_report([path])
    # without -f: every format pyheat writes, in its table's order
    suffixes = (".collapsed", ".speedscope.json", ".chrome.json", ".html", ".svg", ".png")
    want = [os.path.join(d, "run" + s) for s in suffixes]
    check(sorted(r.stdout.decode().splitlines()) == sorted(want), "printed %r, want %r" % (r.stdout, want))
    check(sorted(os.listdir(d)) == sorted(["run.pyheat"] + ["run" + s for s in suffixes]),
          "files: %s" % os.listdir(d))
    stem = os.path.join(d, "two")
    r = ok_report([path, "-f", "speedscope,chrome", "-o", stem])
    check(r.stdout.decode().splitlines() == [stem + ".speedscope.json", stem + ".chrome.json"],
          "printed %r" % r.stdout)
    check(not os.path.exists(stem + ".collapsed"), "wrote a format that was not asked for")
    # options before FILE
    r = ok_report(["-f", "collapsed", "-o", stem + "3", path])
    check(os.path.exists(stem + "3.collapsed"), "options before FILE")


# ---- speedscope ----------------------------------------------------------------

def npm_tools():
    """Directory with speedscope and ajv installed, or None with a reason."""
    schema = os.path.join(NPM_DIR, "node_modules", "speedscope", "dist", "release", "file-format-schema.json")
    if not os.path.exists(schema) or not os.path.exists(os.path.join(NPM_DIR, "node_modules", "ajv")):
        if not shutil.which("npm") or not shutil.which("node"):
            return None, "npm/node not installed"
        os.makedirs(NPM_DIR, exist_ok=True)
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", NPM_DIR,
                            "speedscope@1", "ajv@8"], capture_output=True, text=True, timeout=600)
        if r.returncode != 0 or not os.path.exists(schema):
            return None, "npm install speedscope ajv failed: %s" % r.stderr.strip()[-300:]
    with open(os.path.join(NPM_DIR, "validate.js"), "w") as fh:
        fh.write("""
const fs = require('fs');
const Ajv = require('ajv');
const schema = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const validate = new Ajv({allErrors: true, strict: false}).compile(schema);
let bad = 0;
for (const f of process.argv.slice(3)) {
  if (!validate(JSON.parse(fs.readFileSync(f, 'utf8')))) {
    console.log(f + ': ' + JSON.stringify(validate.errors.slice(0, 5)));
    bad++;
  }
}
process.exit(bad ? 1 : 0);
""")
    return schema, None


def load_json(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return json.loads(raw.decode("utf-8")), raw
    except ValueError as e:
        raise Failure("%s is not JSON: %s" % (os.path.basename(path), e))


def speedscope_files(env):
    d = env.new_dir("ss")
    files = []
    for name, args in (("all", []), ("pid", ["--pid", "4250"]), ("window", ["--from", "0.9", "--to", "1.3"]),
                       ("none", ["--from", "9"])):
        stem = os.path.join(d, name)
        ok_report([env.path, "-f", "speedscope", "-o", stem] + args)
        files.append(stem + ".speedscope.json")
    return files


def test_speedscope_schema(env, rep):
    schema, why = npm_tools()
    if not schema:
        rep.skip("speedscope schema (npm speedscope + ajv)", why)
        return
    files = speedscope_files(env)
    r = subprocess.run(["node", os.path.join(NPM_DIR, "validate.js"), schema] + files, capture_output=True,
                       text=True, timeout=120)
    if r.returncode != 0:
        rep.fail("speedscope schema (npm speedscope + ajv)", r.stdout.strip()[-1500:] + r.stderr.strip()[-500:])
    else:
        rep.ok("speedscope schema (npm speedscope + ajv): %d files" % len(files))


def app_tools():
    """Why the speedscope app check cannot run (chromium, node or npm missing), or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return "%s not installed (Debian package chromium)" % CHROMIUM
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not installed (Debian packages nodejs npm)"
    return None


def install_playwright():
    """playwright-core from npm, where tests/test_html.py puts it (a failed install fails the check)."""
    for d in (os.path.join(NPM_DIR, "browser"), NPM_DIR):
        if os.path.exists(os.path.join(d, "node_modules", "playwright-core", "package.json")):
            return
    # its own folder: `npm install --no-save` prunes what another test installed beside it
    dest = os.path.join(NPM_DIR, "browser")
    os.makedirs(dest, exist_ok=True)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dest, "playwright-core@1"],
                       capture_output=True, text=True, timeout=600)
    check(r.returncode == 0 and os.path.exists(os.path.join(dest, "node_modules", "playwright-core")),
          "npm install playwright-core failed: %s" % r.stderr.strip()[-300:])


def app_profiles(prof, samples):
    """What speedscope's app should show for these samples: per thread with
    samples, in pyheat's order, the profile name, its non-idle weight and its
    sandwich table ([name, file, total ms, self ms] per frame)."""
    ms = 1000 / prof.meta["rate"]
    text = lambda b: enc(b).decode("utf-8", "replace")  # noqa: E731
    out = []
    for th, (pid, tid, name) in enumerate(prof.threads):
        mine = [s for s in samples if s[1] == th]
        if not mine:
            continue
        rows = collections.defaultdict(lambda: [0, 0])
        busy = 0
        for _, _, st, fl in mine:
            frames = (["[truncated]"] if fl & TRUNCATED else []) + list(reversed(prof.stacks[st]))
            if not frames:
                continue                     # speedscope counts an empty stack as idle
            busy += 1
            keys = [("[truncated]", "", 0) if f == "[truncated]" else
                    (lambda i: (text(i[0]), text(i[1]), i[2]))(prof.frame_info(f)) for f in frames]
            for k in set(keys):
                rows[k][0] += 1
            rows[keys[-1]][1] += 1
        label = "thread %d %s" % (tid, text(name)) + (" (pid %d)" % pid if pid != prof.meta["pid"] else "")
        out.append({"name": label, "totalMs": busy * ms, "samples": len(mine),
                    "sandwich": sorted([k[0], k[1], v[0] * ms, v[1] * ms] for k, v in rows.items())})
    return out


def inject_profile(path):
    """Names that run code or make elements if any page puts them in as HTML."""
    p = Profile(pid=777)
    p.meta["cmdline"] = "</title><script>window.__pwned='title'</script>"
    f1 = p.func("<img src=x onerror=\"window.__pwned='func'\">", "\"><svg onload=\"window.__pwned='file'\">.py", 1)
    f2 = p.func("<script>window.__pwned='script'</script>", "javascript:window.__pwned='href'", 2)
    st = p.stack(p.frame(f1, 1), p.frame(f2, 2))
    t0 = p.thread(777, 777, "<iframe src=\"javascript:parent.__pwned='thread'\"></iframe>")
    t1 = p.thread(777, 778, "<b onmouseover=\"window.__pwned='hover'\">bold</b>")
    p.counts = (0, 0)
    for k in range(20):
        p.sample(k * TICK, t0, st)
        if k % 2:
            p.sample(k * TICK, t1, p.stack(p.frame(f2, 2)))
    p.write(path)
    return p


def test_speedscope_app(env, rep):
    """speedscope's own offline app (dist/release/index.html from file://) in
    headless Chromium opens pyheat's files: tests/browser/open-speedscope.js."""
    name = "speedscope app in headless Chromium (npm speedscope, file://)"
    why = app_tools()
    if why:
        rep.skip(name, why)
        return
    schema, why = npm_tools()
    check(schema, why)
    install_playwright()
    app = os.path.join(os.path.dirname(schema), "index.html")
    check(os.path.exists(app), "%s is missing" % app)
    files = dict(zip(("all", "pid", "window", "none"), speedscope_files(env)))
    prof = env.prof

    def load(label, path, p, samples, via="input", **kw):
        profs = app_profiles(p, samples)
        busiest = max(range(len(profs)), key=lambda i: (profs[i]["samples"], -i))
        d = {"label": label, "file": path, "via": via, "expect": "profile", "title": p.meta["cmdline"],
             "profiles": profs, "active": busiest}
        d.update(kw)
        return d

    d = env.new_dir("app")
    ipath = os.path.join(d, "inject.pyheat")
    iprof = inject_profile(ipath)
    ok_report([ipath, "-f", "speedscope", "-o", os.path.join(d, "inject")])
    with open(files["all"], "rb") as fh:
        raw = fh.read()
    corrupt = os.path.join(d, "corrupt.speedscope.json")
    with open(corrupt, "wb") as fh:
        fh.write(raw[:len(raw) * 2 // 3])        # cut short mid-file, as a crashed writer would leave it
    loads = [load("all", files["all"], prof, prof.samples, pixels=True, screenshot="speedscope-app.png"),
             load("pid", files["pid"], prof, prof.selected(pid=4250), via="cli"),
             load("inject", os.path.join(d, "inject.speedscope.json"), iprof, iprof.samples),
             {"label": "none", "file": files["none"], "via": "input", "expect": "empty"},
             {"label": "corrupt", "file": corrupt, "via": "input", "expect": "error",
              "screenshot": "speedscope-app-corrupt.png"}]
    for p in loads[1]["profiles"]:
        del p["sandwich"]                  # "all" has this thread's table already
    cfg_path = os.path.join(d, "cfg.json")
    with open(cfg_path, "w") as fh:
        json.dump({"app": app, "outDir": OUT_DIR, "loads": loads}, fh)
    e = dict(os.environ)
    e["PYHEAT_PLAYWRIGHT_DIRS"] = os.pathsep.join([os.path.join(NPM_DIR, "browser"), NPM_DIR])
    e["PYHEAT_CHROMIUM"] = CHROMIUM
    r = subprocess.run(["node", os.path.join(BROWSER_DIR, "open-speedscope.js"), cfg_path], capture_output=True,
                       text=True, timeout=180, env=e)
    check(r.returncode == 0, "open-speedscope.js exited %d: %s" % (r.returncode,
                                                                   (r.stderr or r.stdout).strip()[-3000:]))
    rep.ok("%s: %s" % (name, r.stdout.strip().splitlines()[-1]))


def test_speedscope_content(env):
    stem = os.path.join(env.new_dir("ssc"), "p")
    ok_report([env.path, "-f", "speedscope", "-o", stem])
    doc, raw = load_json(stem + ".speedscope.json")
    check(doc["$schema"] == "https://www.speedscope.app/file-format-schema.json", "$schema")
    frames = doc["shared"]["frames"]
    names = ["thread 4242 MainThread", "thread 4243 worker </script>\x1b[2J", "thread 4250 child (pid 4250)"]
    check([p["name"] for p in doc["profiles"]] == names, "profile names %r" % [p["name"] for p in doc["profiles"]])
    prof = env.prof
    for i, p in enumerate(doc["profiles"]):
        check(p["type"] == "sampled" and p["unit"] == "milliseconds", "type/unit %s %s" % (p["type"], p["unit"]))
        mine = [s for s in prof.samples if s[1] == i]
        check(len(p["samples"]) == len(mine) == len(p["weights"]), "thread %d: %d samples, want %d" %
              (i, len(p["samples"]), len(mine)))
        check(all(w == 1000 / RATE for w in p["weights"]), "weights are not 10 ms")
        check(abs(p["endValue"] - len(mine) * 10) < 1e-6 and p["startValue"] == 0, "start/end value")
        for got, (_, _, st, fl) in zip(p["samples"], mine):
            want = (["[truncated]"] if fl & TRUNCATED else []) + [
                prof.frame_info(fr) for fr in reversed(prof.stacks[st])]
            have = []
            for idx in got:
                f = frames[idx]
                have.append(f["name"] if f["name"] == "[truncated]" and "file" not in f
                            else (f["name"].encode(), f["file"].encode(), f["line"]))
            want = [w if isinstance(w, str) else (w[0].decode("utf-8", "replace").encode(),
                                                  w[1].decode("utf-8", "replace").encode(), w[2]) for w in want]
            check(have == want, "thread %d stack %r, want %r" % (i, have, want))
    check(doc["activeProfileIndex"] == 0, "the busiest thread (MainThread) is not active")
    keys = [(f["name"], f.get("file"), f.get("line")) for f in frames]
    check(len(keys) == len(set(keys)), "shared frames repeat")


# ---- chrome ----------------------------------------------------------------------

def chrome_doc(env, args=()):
    stem = os.path.join(env.new_dir("chrome"), "c%d" % len(os.listdir(os.path.join(env.dir, "chrome"))))
    ok_report([env.path, "-f", "chrome", "-o", stem] + list(args))
    return load_json(stem + ".chrome.json")[0]


def check_trace(doc):
    """Required fields everywhere, B/E balanced and nested per thread, time
    never going back within a thread. Returns {(pid, tid): [(name, b, e)]}."""
    check(isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list), "no traceEvents array")
    open_, spans, last = collections.defaultdict(list), collections.defaultdict(list), {}
    for ev in doc["traceEvents"]:
        for k in ("name", "ph", "ts", "pid", "tid"):
            check(k in ev, "event without %s: %r" % (k, ev))
        check(isinstance(ev["ts"], (int, float)) and isinstance(ev["pid"], int) and isinstance(ev["tid"], int),
              "bad field types: %r" % ev)
        key = (ev["pid"], ev["tid"])
        if ev["ph"] == "M":
            continue
        check(ev["ph"] in ("B", "E"), "unexpected phase %r" % ev["ph"])
        check(ev["ts"] >= last.get(key, 0), "time goes back on %s: %r" % (key, ev))
        last[key] = ev["ts"]
        if ev["ph"] == "B":
            open_[key].append((ev["name"], ev["ts"]))
        else:
            check(open_[key], "E without B on %s: %r" % (key, ev))
            name, b = open_[key].pop()
            check(name == ev["name"], "E %r closes B %r on %s" % (ev["name"], name, key))
            check(ev["ts"] > b, "empty span %r" % ev)
            spans[key].append((name, b, ev["ts"]))
    for key, st in open_.items():
        check(not st, "unbalanced B/E on %s: %d left open" % (key, len(st)))
    return spans


def test_chrome(env):
    doc = chrome_doc(env)
    spans = check_trace(doc)
    prof = env.prof
    t = lambda k: (k * TICK + (k * 37 % 500) * 1000) / 1000.0  # noqa: E731  sample time in us
    main = spans[(4242, 4242)]
    by = lambda name: [(b, e) for n, b, e in main if n == name]  # noqa: E731
    check(by("main") == [(t(0), t(199) + 10000)], "MainThread main spans %r" % by("main"))
    check(by("compute") == [(t(0), t(120))], "compute spans %r" % by("compute"))
    check(by("helper") == [(t(80), t(120))], "helper spans %r" % by("helper"))
    check(by("recurse") == [(t(120), t(160))] * 3, "recurse spans %r" % by("recurse"))
    check(by(HOSTILE["cjk"]) == [(t(160), t(199) + 10000)], "cjk span")
    check(by("bad\ufffd\ufffdname") == [(t(160), t(199) + 10000)], "invalid UTF-8 name span")
    # the worker runs every other tick: each sample is its own slice (off CPU between)
    worker = spans[(4242, 4243)]
    check(len([1 for n, _, _ in worker if n == "main"]) == 75, "worker: %d main slices, want 75" %
          len([1 for n, _, _ in worker if n == "main"]))
    check(all(e - b == 10000 for _, b, e in worker), "worker slices are not one interval long")
    # the child: truncated samples from k=90 get the [truncated] root
    child = spans[(4250, 4250)]
    check([(b, e) for n, b, e in child if n == "[truncated]"] == [(t(90), t(99) + 10000)], "child truncated span")
    check([(b, e) for n, b, e in child if n == "main"] == [(t(50), t(90)), (t(90), t(99) + 10000)],
          "child main spans %r" % [(b, e) for n, b, e in child if n == "main"])
    meta = {(e["pid"], e["tid"], e["name"]): e["args"]["name"] for e in doc["traceEvents"] if e["ph"] == "M"}
    check(meta.get((4242, 4243, "thread_name")) == "worker </script>\x1b[2J", "worker thread name %r" % meta)
    check(meta.get((4242, 4242, "thread_name")) == "MainThread", "main thread name")
    check(meta.get((4250, 4250, "thread_name")) == "child", "child thread name")
    check(meta.get((4242, 4242, "process_name")) == prof.meta["cmdline"], "process name")
    check((4250, 4250, "process_name") in meta, "no process_name for the child")
    # filtered: only the child
    spans = check_trace(chrome_doc(env, ["--pid", "4250"]))
    check(list(spans) == [(4250, 4250)], "--pid 4250 has events of %s" % list(spans))
    spans = check_trace(chrome_doc(env, ["--from", "9"]))
    check(not spans, "--from 9 has events")


# ---- hostile names in JSON ------------------------------------------------------

def test_hostile_json(env):
    stem = os.path.join(env.new_dir("hostile"), "h")
    ok_report([env.path, "-o", stem])
    for suffix in (".speedscope.json", ".chrome.json"):
        doc, raw = load_json(stem + suffix)
        check(b"<" not in raw and b">" not in raw, "%s: a raw '<' or '>' (</script> is not inert)" % suffix)
        check(not any(c < 0x20 and c not in b"\n" for c in raw), "%s: a raw control byte" % suffix)
        text = json.dumps(doc, ensure_ascii=False)
        for k, name in HOSTILE.items():
            check(json.dumps(name, ensure_ascii=False)[1:-1] in text, "%s: %s name did not round-trip" % (suffix, k))
        check("bad\ufffd\ufffdname" in text, "%s: invalid UTF-8 not replaced by U+FFFD" % suffix)
    r = run_pyheat(["info", env.path, "--json"])
    check(r.returncode == 0, "info --json exited %d: %s" % (r.returncode, r.stderr))
    check("<" not in r.stdout and ">" not in r.stdout, "info --json: raw '<' or '>'")
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        raise Failure("info --json is not JSON: %s" % e)
    check([t["name"] for t in doc["threads"]] == ["MainThread", "worker </script>\x1b[2J", "child"],
          "info --json thread names %r" % [t["name"] for t in doc["threads"]])
    r = run_pyheat(["info", env.path])
    check("\x1b" not in r.stdout and "\x07" not in r.stdout, "info text: a raw control character")
    check("worker </script>\\x1b[2J" in r.stdout, "info text: thread name not shown escaped")


# ---- info --------------------------------------------------------------------------

def test_info(env):
    prof = env.prof
    r = run_pyheat(["info", env.path])
    check(r.returncode == 0 and r.stderr == "", "info exited %d: %s" % (r.returncode, r.stderr))
    out = r.stdout
    n = len(prof.samples)
    for want in ("(format 1, complete)", "python3 app.py --serve", "/usr/bin/python3.12", "3.12.1",
                 "cpu at 100 Hz", "2023-11-14T22:13:20.123Z", "testhost", "Duration     2.000 s",
                 "Samples      %d (errors 3, dropped 2)" % n, "Threads      3",
                 "4242  MainThread: 200 samples", "4250  child (pid 4250): 50 samples",
                 "Stacks       %d" % len(prof.stacks), "Frames       %d" % len(prof.frames),
                 "Functions    %d" % len(prof.funcs), "Source files 1",
                 "%d samples from 3 threads over 2.00 s (%.2f cores busy)" % (n, n / 200.0),
                 "50 of them (%.1f%%) without Python frames" % (5000.0 / n),
                 "Top 10 of 11 functions by own share"):
        check(want in out, "info does not say %r:\n%s" % (want, out))
    r = run_pyheat(["info", "--json", env.path])
    doc = json.loads(r.stdout)
    check(doc["complete"] is True and doc["samples"] == n and doc["errors"] == 3 and doc["drops"] == 2,
          "info --json counts %r" % {k: doc[k] for k in ("complete", "samples", "errors", "drops")})
    check(doc["stacks"] == len(prof.stacks) and doc["frames"] == len(prof.frames) and
          doc["functions"] == len(prof.funcs) and doc["source_files"] == 1, "info --json table counts")
    check(doc["start_time"] == "2023-11-14T22:13:20.123Z" and doc["rate_hz"] == 100 and doc["pid"] == 4242,
          "info --json metadata")
    check([t["samples"] for t in doc["threads"]] == [200, 125, 50], "samples per thread")
    check(doc["samples_without_python"] == 50 and doc["samples_truncated"] == 10 and
          abs(doc["cores_busy"] - n / 200.0) < 1e-3, "info --json derived counts")
    counts = prof.func_counts(prof.samples)
    check(len(doc["top"]) == 10, "top has %d rows" % len(doc["top"]))
    owns = [row["samples_own"] for row in doc["top"]]
    check(owns == sorted(owns, reverse=True), "top is not by own share: %r" % owns)
    for row in doc["top"]:
        key = (row["function"].encode(), row["file"].encode())
        if key not in counts:
            continue     # the invalid UTF-8 name, shown with U+FFFD
        own, total = counts[key]
        check(row["samples_own"] == own and row["samples_total"] == total, "%s: own %d total %d, want %d %d" %
              (row["function"], row["samples_own"], row["samples_total"], own, total))
        check(abs(row["own"] - own / n) < 1e-6 and abs(row["total"] - total / n) < 1e-6, "shares of %s" % key[0])
        lo, hi = wilson(own, n)
        check(abs(row["own_ci"][0] - lo) < 1e-6 and abs(row["own_ci"][1] - hi) < 1e-6, "own CI of %s" % key[0])
        lo, hi = wilson(total, n)
        check(abs(row["total_ci"][0] - lo) < 1e-6 and abs(row["total_ci"][1] - hi) < 1e-6,
              "total CI of %s" % key[0])
    first = doc["top"][0]
    check(first["function"] == "helper" and first["samples_own"] == 90, "top row %r" % first)
    check(sum(row["own"] for row in doc["top"]) <= 1.0 + 1e-9, "own shares add to more than 100%")


def test_cut_short(env):
    d = env.new_dir("cut")
    path = os.path.join(d, "cut.pyheat")
    env.prof.write(path, end="abort")
    r = report([path, "-f", "collapsed", "-o", "-"])
    check(r.returncode == 0, "report of a file cut short exited %d: %r" % (r.returncode, r.stderr))
    lines = r.stderr.decode().splitlines()
    check(len(lines) == 1 and lines[0].startswith("pyheat: note: ") and "cut short" in lines[0],
          "want one note that the file was cut short: %r" % r.stderr)
    check(collapsed_lines(r.stdout) == env.prof.collapsed(env.prof.samples), "cut short: collapsed differs")
    r = run_pyheat(["info", path])
    check(r.returncode == 0 and "cut short" in r.stdout.splitlines()[0], "info first line: %r" % r.stdout[:200])
    doc = json.loads(run_pyheat(["info", "--json", path]).stdout)
    check(doc["complete"] is False, "info --json says complete for a file cut short")
    # a file whose end was lost mid-chunk (SIGKILL during a write)
    with open(env.path, "rb") as fh:
        data = fh.read()
    part = os.path.join(d, "part.pyheat")
    with open(part, "wb") as fh:
        fh.write(data[:len(data) * 2 // 3])
    r = report([part, "-f", "collapsed", "-o", "-"])
    check(r.returncode == 0, "report of a file cut mid-chunk exited %d: %r" % (r.returncode, r.stderr))
    check(len(r.stderr.decode().splitlines()) == 1 and b"cut short" in r.stderr, "note: %r" % r.stderr)
    total = sum(int(l.rsplit(b" ", 1)[1]) for l in collapsed_lines(r.stdout))
    check(0 < total < len(env.prof.samples), "a file cut at 2/3 renders %d of %d samples" %
          (total, len(env.prof.samples)))


def test_corrupt(env):
    d = env.new_dir("corrupt")
    with open(env.path, "rb") as fh:
        data = bytearray(fh.read())
    bad = os.path.join(d, "flipped.pyheat")
    data[len(data) // 2] ^= 0x5a
    with open(bad, "wb") as fh:
        fh.write(data)
    garbage = os.path.join(d, "garbage.pyheat")
    with open(garbage, "wb") as fh:
        fh.write(b"not a profile at all\n" * 10)
    empty = os.path.join(d, "empty.pyheat")
    open(empty, "wb").close()
    for path in (bad, garbage, empty):
        for args in ([path, "-o", os.path.join(d, "out")], [path, "-f", "chrome", "-o", "-"]):
            r = report(args)
            check(r.returncode == 70, "%s: exit %d, want 70; %r" % (os.path.basename(path), r.returncode, r.stderr))
            lines = r.stderr.decode().splitlines()
            check(len(lines) == 1 and lines[0].startswith("pyheat: "), "want one stderr line: %r" % r.stderr)
            check(r.stdout == b"", "output on stdout for a corrupt file: %r" % r.stdout[:200])
        r = run_pyheat(["info", path])
        check(r.returncode == 70 and len(r.stderr.splitlines()) == 1 and r.stdout == "",
              "info %s: exit %d %r" % (os.path.basename(path), r.returncode, r.stderr))
    left = [f for f in os.listdir(d) if not f.endswith(".pyheat")]
    check(not left, "a failed report left files behind: %s" % left)


def test_usage(env):
    expect_usage(report([env.path, "-f", "collapsed,flame"]), "flame", "collapsed, speedscope, chrome")
    expect_usage(report([env.path, "-f", "collapsed,chrome", "-o", "-"]), "one format")
    expect_usage(report([env.path, "-o", "-"]), "one format")
    expect_usage(report([env.path, "--bogus"]), "--bogus")
    expect_usage(report([]), "FILE")
    expect_usage(report([env.path, env.path]), "unexpected argument")
    expect_usage(report([env.path, "--from", "abc"]), "--from")
    expect_usage(report([env.path, "--from", "2", "--to", "1"]), "--to")
    expect_usage(report([env.path, "--pid", "x"]), "--pid")
    expect_usage(report([env.path, "--tid", "-3"]), "--tid")
    expect_usage(report([env.path, "-f"]), "-f")
    r = report(["--help"])
    check(r.returncode == 0 and b"usage: pyheat report" in r.stdout and r.stderr == b"", "report --help")
    for f in (b"collapsed", b"speedscope", b"chrome", b"--from", b"--to", b"--pid", b"--tid", b"-o"):
        check(f in r.stdout, "report --help does not mention %r" % f)
    expect_usage(run_pyheat(["info", env.path, "--bogus"]), "--bogus")
    expect_usage(run_pyheat(["info"]), "FILE")
    r = run_pyheat(["info", "--help"])
    check(r.returncode == 0 and "usage: pyheat info" in r.stdout, "info --help")
    r = run_pyheat(["info", os.path.join(env.dir, "missing.pyheat")])
    check(r.returncode in (70, 71) and len(r.stderr.splitlines()) == 1, "info on a missing file: %d %r" %
          (r.returncode, r.stderr))


def main():
    rep = Report("test_report")
    if not os.access(MAKE_PROFILE, os.X_OK):
        print("test_report: %s is missing (run make)" % MAKE_PROFILE)
        return 1
    env = Env()
    try:
        for name, fn in (("collapsed: exact lines and counts", test_collapsed_whole),
                         ("collapsed: -o - streams to stdout", test_collapsed_stdout),
                         ("filters: --from/--to/--pid/--tid", test_filters),
                         ("collapsed: hostile names escaped", test_hostile_collapsed),
                         ("file names: default stem, -f, -o", test_default_stem),
                         ("speedscope: threads, stacks, weights", test_speedscope_content),
                         ("chrome: fields, balanced B/E, spans, names", test_chrome),
                         ("hostile names: JSON parses and round-trips", test_hostile_json),
                         ("info: metadata, counts, top table", test_info),
                         ("cut short: renders with one note", test_cut_short),
                         ("corrupt file: exit 70, one line", test_corrupt),
                         ("usage errors: exit 64, one line", test_usage)):
            rep.run(name, fn, env)
        try:
            test_speedscope_schema(env, rep)
        except (Failure, subprocess.TimeoutExpired) as e:
            rep.fail("speedscope schema (npm speedscope + ajv)", str(e))
        try:
            test_speedscope_app(env, rep)
        except (Failure, subprocess.TimeoutExpired) as e:
            rep.fail("speedscope app in headless Chromium (npm speedscope, file://)", str(e))
    finally:
        shutil.rmtree(env.dir, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
