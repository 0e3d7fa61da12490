#!/usr/bin/python3
"""The interactive HTML report and the SVG flame graph (pyheat report -f
html,svg), checked in Debian's Chromium (headless, driven by playwright-core
from npm: tests/browser/) like a person would use them.

  - a real recording: `pyheat record --subprocesses -f html,svg` of a Python
    program this test writes (two phases of known functions, a worker thread,
    a child process), then in the browser: the heatmap's pixels, a cell's
    tooltip, drag-to-zoom and reset, the time-range / thread / process / text
    filters, the flame graph of the selected range (hover, click to zoom),
    drill-down (callers, callees, hottest lines, source with per-line heat),
    table sort, the file:line links, PNG and CSV export, no console errors
    and no network request; the SVG's search and click-to-zoom;
  - every function table the page showed (whole recording, time range, zoom,
    thread, process) against `pyheat report -f collapsed` with the same
    --from/--to/--tid/--pid, and the default table against `pyheat info
    --json` (same counts, shares and 95% intervals to the digit);
  - hostile names (tests/tools/make-profile): </script>, onerror attributes,
    ]]>, terminal escapes, U+2028, C1 controls, invalid UTF-8 in function,
    file, thread and command names and in the source text: the page and the
    SVG run nothing (window.__pwned stays unset), inject no element, and show
    every name as text;
  - without a browser: the data island is JSON with no raw '<', the page's
    Content-Security-Policy hash matches its script, the SVG is well-formed XML.

playwright-core is installed with npm into $PYHEAT_NPM_DIR/browser (default
build/npm/browser) when missing; without chromium, node or npm the browser
checks are reported as skipped.
"""
import base64
import collections
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, ROOT, Failure, Report, check, run_pyheat  # noqa: E402

UNITS = os.environ.get("PYHEAT_UNITS") or os.path.join(ROOT, "build", "tests")
MAKE_PROFILE = os.path.join(UNITS, "tools", "make-profile")
NPM_DIR = os.environ.get("PYHEAT_NPM_DIR") or os.path.join(ROOT, "build", "npm")
BROWSER_DIR = os.path.join(ROOT, "tests", "browser")
CHROMIUM = os.environ.get("PYHEAT_CHROMIUM") or "/usr/bin/chromium"
OUT_DIR = os.path.join(ROOT, "build", "test-html")   # screenshots and downloads, for a person to look at
Z95 = 1.959963984540054

APP = r'''
import json, os, subprocess, sys, threading, time

def leaf_a(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

def crunch_a(deadline):
    while time.time() < deadline:
        leaf_a(3000)  # MARK: crunch_a

def leaf_b(n):
    s = 0
    for i in range(n):
        s ^= i
    return s

def crunch_b(deadline):
    while time.time() < deadline:
        leaf_b(3000)  # MARK: crunch_b

def phase_one():
    crunch_a(time.time() + 1.2)

def phase_two():
    crunch_b(time.time() + 1.2)

def worker_spin(stop, out):
    out["tid"] = threading.get_native_id()
    while not stop.is_set():
        x = 0
        for i in range(2000):
            x += i
        time.sleep(0.002)

def child_work(deadline):
    while time.time() < deadline:
        sum(range(3000))

if sys.argv[1] == "child":
    child_work(time.time() + float(sys.argv[2]))
    sys.exit(0)
ready = sys.argv[1]
stop, info = threading.Event(), {}
worker = threading.Thread(target=worker_spin, args=(stop, info), name="worker")
worker.start()
child = subprocess.Popen([sys.executable, __file__, "child", "2.6"])
time.sleep(0.3)
t1 = time.time()
phase_one()
t2 = time.time()
phase_two()
t3 = time.time()
stop.set()
worker.join()
child.wait()
with open(ready + ".tmp", "w") as fh:
    json.dump({"pid": os.getpid(), "child": child.pid, "worker_tid": info["tid"], "phase1": [t1, t2],
               "phase2": [t2, t3]}, fh)
os.rename(ready + ".tmp", ready)
'''


def marks(text):
    out = {}
    for no, line in enumerate(text.splitlines(), 1):
        if "# MARK: " in line:
            out[line.split("# MARK: ", 1)[1].strip()] = (no, line)
    return out


def def_line(text, name):
    for no, line in enumerate(text.splitlines(), 1):
        if line.startswith("def %s(" % name):
            return no
    raise Failure("no def %s" % name)


def wilson(k, n, z=Z95):
    """stats_wilson(), operation for operation."""
    if n == 0:
        return 0.0, 1.0
    k = min(k, n)
    nn = float(n)
    p = k / nn
    z2 = z * z
    denom = 1.0 + z2 / nn
    centre = (p + z2 / (2.0 * nn)) / denom
    half = z / denom * math.sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn))
    lo, hi = centre - half, centre + half
    return (0.0 if k == 0 else max(lo, 0.0)), (1.0 if k == n else min(hi, 1.0))


def pct(k, n):
    return "%.1f" % (100 * (k / n if n else 0.0))


def ci(k, n):
    lo, hi = wilson(k, n)
    return "%.1f\u2013%.1f" % (100 * lo, 100 * hi)


def utf8_len(b, i):
    """Length of the valid UTF-8 sequence at b[i], 0 if invalid (stats_utf8_len)."""
    c = b[i]
    if c < 0x80:
        return 1
    n = 2 if 0xc2 <= c <= 0xdf else 3 if 0xe0 <= c <= 0xef else 4 if 0xf0 <= c <= 0xf4 else 0
    try:
        b[i:i + n].decode("utf-8")
    except UnicodeDecodeError:
        return 0
    return n if n and i + n <= len(b) else 0


def visible(b):
    """A name as the page and the SVG show it: invalid UTF-8 bytes as U+FFFD,
    C0 controls and DEL as \\xNN, C1 controls as \\u00NN."""
    if isinstance(b, str):
        b = b.encode("utf-8")
    out, i = [], 0
    while i < len(b):
        n = utf8_len(b, i)
        if not n:
            out.append("\ufffd")
            i += 1
            continue
        c = ord(b[i:i + n].decode("utf-8"))
        out.append("\\x%02x" % c if c < 0x20 or c == 0x7f else "\\u%04x" % c if 0x80 <= c <= 0x9f else chr(c))
        i += n
    return "".join(out)


def report_cli(path, args):
    r = subprocess.run([PYHEAT, "report", path] + args, capture_output=True, timeout=120)
    check(r.returncode == 0, "pyheat report %s exited %d: %s" % (" ".join(args), r.returncode, r.stderr[-500:]))
    return r


def collapsed_funcs(path, args):
    """{(name, file): [own, total]} and the sample count, from `pyheat report -f collapsed`."""
    out = report_cli(path, ["-f", "collapsed", "-o", "-"] + args).stdout.decode("utf-8")
    funcs, n = collections.defaultdict(lambda: [0, 0]), 0
    for line in out.splitlines():
        stack, count = line.rsplit(" ", 1)
        count = int(count)
        n += count
        frames = []
        for fr in stack.split(";"):
            m = re.match(r"^(.*) \((.*):(-?\d+)\)$", fr)
            if m:
                frames.append((m.group(1), m.group(2)))
        if frames:
            funcs[frames[-1]][0] += count
        for key in set(frames):
            funcs[key][1] += count
    return funcs, n


def ns_arg(ns):
    return "%d.%09d" % (ns // 1000000000, ns % 1000000000)


# ---- prerequisites ----------------------------------------------------------------

def browser_tools():
    """None when the browser checks can run, else why not. Installs
    playwright-core with npm when it is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        return "%s not installed (Debian package chromium)" % CHROMIUM
    if not shutil.which("node") or not shutil.which("npm"):
        return "node/npm not installed (Debian packages nodejs npm)"
    for d in (os.path.join(NPM_DIR, "browser"), NPM_DIR):
        if os.path.exists(os.path.join(d, "node_modules", "playwright-core", "package.json")):
            return None
    # its own folder: `npm install --no-save` prunes what another test installed beside it
    dest = os.path.join(NPM_DIR, "browser")
    os.makedirs(dest, exist_ok=True)
    r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dest, "playwright-core@1"],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 or not os.path.exists(os.path.join(dest, "node_modules", "playwright-core")):
        return "npm install playwright-core failed: %s" % r.stderr.strip()[-300:]
    return None


def run_browser(cfg, workdir):
    path = os.path.join(workdir, "cfg-%d.json" % len(os.listdir(workdir)))
    with open(path, "w") as fh:
        json.dump(cfg, fh)
    env = dict(os.environ)
    env["PYHEAT_PLAYWRIGHT_DIRS"] = os.pathsep.join([os.path.join(NPM_DIR, "browser"), NPM_DIR])
    env["PYHEAT_CHROMIUM"] = CHROMIUM
    r = subprocess.run(["node", os.path.join(BROWSER_DIR, "check-html.js"), path], capture_output=True, text=True,
                       timeout=600, env=env)
    if r.returncode != 0:
        raise Failure("check-html.js exited %d: %s" % (r.returncode, (r.stderr or r.stdout).strip()[-1500:]))
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- the real recording ---------------------------------------------------------------

class Real:
    def __init__(self, tmp):
        self.dir = tmp
        self.app = os.path.join(tmp, "app.py")
        with open(self.app, "w") as fh:
            fh.write(APP)
        self.ready = os.path.join(tmp, "ready.json")
        self.stem = os.path.join(tmp, "rec")
        r = subprocess.run([PYHEAT, "record", "-o", self.stem, "-r", "200", "-m", "wall", "--subprocesses",
                            "-f", "html,svg", "--", sys.executable, self.app, self.ready],
                           capture_output=True, text=True, timeout=180)
        check(r.returncode == 0, "record exited %d: %s" % (r.returncode, r.stderr.strip()[-800:]))
        check(os.path.exists(self.ready), "the target did not finish: %s" % r.stderr.strip()[-500:])
        with open(self.ready) as fh:
            self.truth = json.load(fh)
        self.profile = self.stem + ".pyheat"
        self.html, self.svg = self.stem + ".html", self.stem + ".svg"
        for f in (self.profile, self.html, self.svg):
            check(os.path.exists(f), "record did not write %s" % f)
        r = run_pyheat(["info", "--json", self.profile])
        check(r.returncode == 0, "info --json: %s" % r.stderr)
        self.info = json.loads(r.stdout)
        start = self.info["start_unix_ns"] / 1e9
        self.phase1 = [t - start for t in self.truth["phase1"]]
        self.phase2 = [t - start for t in self.truth["phase2"]]
        self.marks = marks(APP)

    def cfg(self):
        line, text = self.marks["crunch_a"]
        return {
            "steps": ["realHtml", "realSvg"], "html": self.html, "svg": self.svg, "outDir": OUT_DIR,
            "phase1": self.phase1, "phase2": self.phase2, "focus": "crunch_a", "other": "crunch_b",
            "caller": "phase_one", "callee": "leaf_a", "hotLine": line, "hotLineText": text,
            "workerTid": self.truth["worker_tid"], "workerFunc": "worker_spin",
            "childPid": self.truth["child"], "childFunc": "child_work", "textFilter": "crunch",
            "vscodeHref": "vscode://file" + self.app + ":%d" % def_line(APP, "crunch_a"),
            "plainHref": "file://" + self.app,
        }


def compare_obs(real, o):
    """One table the page showed against `pyheat report -f collapsed` with the
    same selection."""
    sel = o["sel"]
    args = ["--from", ns_arg(int(sel["fromNs"])), "--to", ns_arg(int(sel["toNs"]))]
    if o["label"] == "thread":
        args += ["--tid", str(real.truth["worker_tid"])]
    if o["label"] == "process":
        args += ["--pid", str(real.truth["child"])]
    want, n = collapsed_funcs(real.profile, args)
    check(sel["samples"] == n, "%s: %d samples in the page, %d from pyheat report %s" %
          (o["label"], sel["samples"], n, " ".join(args)))
    got = {}
    for r in o["rows"]:
        got[(r["name"], r["loc"].rsplit(":", 1)[0])] = r
    check(set(got) == set(want), "%s: functions differ: page only %s, report only %s" %
          (o["label"], sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5]))
    for key, r in got.items():
        own, tot = want[key]
        check((r["own"], r["total"]) == (own, tot), "%s: %s own/total %d/%d, report %d/%d" %
              (o["label"], key[0], r["own"], r["total"], own, tot))
        check((r["ownPct"], r["ownCi"], r["totalPct"], r["totalCi"]) == (pct(own, n), ci(own, n), pct(tot, n), ci(tot, n)),
              "%s: %s shares %s %s %s %s, want %s %s %s %s" % (o["label"], key[0], r["ownPct"], r["ownCi"], r["totalPct"],
                                                                r["totalCi"], pct(own, n), ci(own, n), pct(tot, n), ci(tot, n)))


def compare_info(real, o):
    """The default table's top rows against `pyheat info --json`."""
    rows = {(r["name"], r["loc"].rsplit(":", 1)[0]): r for r in o["rows"]}
    check(o["sel"]["samples"] == real.info["samples"], "page %d samples, info %d" % (o["sel"]["samples"], real.info["samples"]))
    for t in real.info["top"]:
        r = rows.get((t["function"], t["file"]))
        check(r is not None, "info's %s is not in the page's table" % t["function"])
        n = real.info["samples"]
        check((r["own"], r["total"]) == (t["samples_own"], t["samples_total"]),
              "%s: page counts %s, info %s" % (t["function"], (r["own"], r["total"]),
                                               (t["samples_own"], t["samples_total"])))
        # shares from the exact counts; the intervals from info's JSON, which
        # carries them rounded, so their last printed digit may differ by one
        check((r["ownPct"], r["totalPct"]) == ("%.1f" % (100.0 * t["samples_own"] / n),
                                               "%.1f" % (100.0 * t["samples_total"] / n)),
              "%s: page shares %s %s" % (t["function"], r["ownPct"], r["totalPct"]))
        for got, (lo, hi) in ((r["ownCi"], t["own_ci"]), (r["totalCi"], t["total_ci"])):
            glo, ghi = (float(x) for x in got.split("\u2013"))
            check(abs(glo - 100 * lo) <= 0.051 and abs(ghi - 100 * hi) <= 0.051,
                  "%s: page interval %s, info %.3f-%.3f" % (t["function"], got, 100 * lo, 100 * hi))


# ---- hostile names -----------------------------------------------------------------

PWN = "window.__pwned=1"
HOSTILE_FUNCS = [
    "</script><script>%s</script>" % PWN,
    "<img src=x onerror=\"%s\">" % PWN,
    "\"><svg/onload=%s>" % PWN,
    "]]><script>%s</script><!--" % PWN,
    "\x1b[31mred\x1b[0m\x07bell",
    "sep\u2028line\u2029para",
    "c1\u009b2J",
    b"bad\xff\xfename",
    "=cmd|' /C calc'!A0",
    "quote\"s & <tags> \\ back",
]
HOSTILE_FILE = "/tmp/pyheat-evil/a\"b'<c>&d e#f?.py"
HOSTILE_SOURCE_LINE = "</script><script>%s</script>" % PWN
HOSTILE_THREAD = "</script><img src=x onerror=%s>" % PWN
HOSTILE_CMD = "python3 </title><script>%s</script> \x1b[2J" % PWN


def hostile_profile(path):
    lines, strings = [], {}

    def s(text):
        b = text if isinstance(text, bytes) else text.encode("utf-8")
        if b not in strings:
            strings[b] = len(strings)
            lines.append("string %d %s" % (strings[b], b.hex() or "-"))
        return strings[b]

    head = ["meta pid 4242", "meta rate 100", "meta start 1700000000000000000"]
    for k, v in (("cmdline", HOSTILE_CMD), ("exe", "/usr/bin/python3"), ("python", "3.12.1"), ("mode", "cpu"),
                 ("host", "evil<host>"), ("version", "0.1.0")):
        head.append("meta %s %s" % (k, v.encode().hex()))
    files = [HOSTILE_FILE, "javascript:%s//x.py" % PWN, "/tmp/pyheat-evil/app.py"]
    funcs = [("main", files[2], 1)] + [(name, files[i % 2], 10 + i) for i, name in enumerate(HOSTILE_FUNCS)]
    for i, (name, file, first) in enumerate(funcs):
        lines.append("func %d %d %d %d" % (i, s(name), s(file), first))
    for i, (name, file, first) in enumerate(funcs):
        lines.append("frame %d %d %d" % (i, i, first + 1))
    for i in range(1, len(funcs)):
        lines.append("stack %d %d 0" % (i - 1, i))
    lines.append("stack %d 0" % (len(funcs) - 1))
    threads = [(4242, 4242, "MainThread"), (4242, 4243, HOSTILE_THREAD), (4250, 4250, "child \u2028")]
    for i, (pid, tid, name) in enumerate(threads):
        lines.append("thread %d %d %d %d" % (i, pid, tid, s(name)))
    src = "def main():\n%s\n    x = 'sep\u2028line'\n" % HOSTILE_SOURCE_LINE
    lines.append("source %d %s" % (s(files[2]), src.encode().hex()))
    lines.append("source %d %s" % (s(files[0]), ("<!-- %s -->\n" % HOSTILE_SOURCE_LINE * 20).encode().hex()))
    nstacks = len(funcs)
    for k in range(300):
        t = k * 10000000 + 1000
        lines.append("sample %d %d %d 1" % (t, k % 3, k % nstacks))
        if k % 50 == 49:
            lines.append("flush")
    lines.append("close 3000000000")
    r = subprocess.run([MAKE_PROFILE, path], input=("\n".join(head + lines) + "\n").encode(), capture_output=True,
                       timeout=60)
    check(r.returncode == 0, "make-profile: %s" % r.stderr.decode("utf-8", "replace"))


def hostile_cfg(tmp):
    prof = os.path.join(tmp, "evil.pyheat")
    hostile_profile(prof)
    stem = os.path.join(tmp, "evil")
    report_cli(prof, ["-f", "html,svg", "-o", stem])
    return prof, {
        "steps": ["hostileHtml", "hostileSvg"], "html": stem + ".html", "svg": stem + ".svg", "outDir": OUT_DIR,
        "hostile": [visible(n) for n in HOSTILE_FUNCS], "hostileThread": visible(HOSTILE_THREAD),
        "title": "pyheat: " + visible(HOSTILE_CMD), "sourceFunc": "main", "sourceLine": HOSTILE_SOURCE_LINE,
    }


# ---- without a browser ------------------------------------------------------------------

def check_html_file(path, samples=None):
    with open(path, "rb") as fh:
        raw = fh.read()
    text = raw.decode("utf-8")
    m = re.search(r'<script type="application/json" id="pyheat-data">(.*?)</script>', text, re.S)
    check(m, "no data island")
    island = m.group(1)
    check("<" not in island and ">" not in island and "\u2028" not in island and "\u2029" not in island,
          "a raw '<', '>', U+2028 or U+2029 in the data island")
    data = json.loads(island)
    if samples is not None:
        check(data["samples"] == samples, "data island: %d samples, want %d" % (data["samples"], samples))
    check(text.count("<script") == 2 and text.count("</script") == 2, "%d <script elements" % text.count("<script"))
    scripts = re.findall(r"<script>(.*?)</script>", text, re.S)
    check(len(scripts) == 1, "no inline script")
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)
    check(csp and ("script-src 'sha256-%s'" % digest) in csp.group(1) and "default-src 'none'" in csp.group(1),
          "the CSP does not allow exactly the page's script: %s" % (csp and csp.group(1)))
    check(not re.search(r"(src|href)=\"https?:", text), "a network reference in the page")
    return data


def check_svg_file(path, names=()):
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        raise Failure("%s is not well-formed XML: %s" % (os.path.basename(path), e))
    ns = "{http://www.w3.org/2000/svg}"
    root = tree.getroot()
    check(root.tag == ns + "svg", "root element %s" % root.tag)
    check(len(root.findall(".//%sscript" % ns)) == 1, "script elements: %d" % len(root.findall(".//%sscript" % ns)))
    frames = root.findall(".//%sg[@class='f']" % ns)
    check(frames, "no frames")
    got = {g.get("data-n") for g in frames}
    for n in names:
        check(n in got, "no frame named %r" % n)
    return frames


def main():
    rep = Report("test_html")
    for tool in (PYHEAT, MAKE_PROFILE):
        if not os.access(tool, os.X_OK):
            print("test_html: %s is missing (run make)" % tool)
            return 1
    tmp = tempfile.mkdtemp(prefix="pyheat-html-")
    os.makedirs(OUT_DIR, exist_ok=True)
    try:
        real = None
        try:
            t0 = time.time()
            real = Real(tmp)
            rep.ok("record -f html,svg of a real program (%.1f s)" % (time.time() - t0))
        except (Failure, subprocess.TimeoutExpired) as e:
            rep.fail("record -f html,svg of a real program", str(e))
        hostile = None
        try:
            hostile = hostile_cfg(tmp)
            rep.ok("report -f html,svg of hostile names")
        except (Failure, subprocess.TimeoutExpired) as e:
            rep.fail("report -f html,svg of hostile names", str(e))
        if real:
            rep.run("html file: data island, CSP hash, no network (real)",
                    lambda: check_html_file(real.html, real.info["samples"]))
            rep.run("svg file: well-formed, frames, one script (real)", lambda: check_svg_file(real.svg, ["crunch_a"]))
        if hostile:
            rep.run("html file: data island, CSP hash, no network (hostile)", lambda: check_html_file(hostile[1]["html"]))
            rep.run("svg file: well-formed, names as text (hostile)",
                    lambda: check_svg_file(hostile[1]["svg"], hostile[1]["hostile"]))

        why = browser_tools()
        if why:
            rep.skip("browser checks", why)
            return rep.finish()
        for cfg, what in ((real and real.cfg(), "real"), (hostile and hostile[1], "hostile")):
            if not cfg:
                continue
            try:
                res = run_browser(cfg, tmp)
            except (Failure, subprocess.TimeoutExpired, ValueError) as e:
                rep.fail("browser (%s)" % what, str(e))
                continue
            for c in res["checks"]:
                if c["ok"]:
                    rep.ok(c["name"])
                else:
                    rep.fail(c["name"], c["detail"])
            for o in res["obs"]:
                if o["label"] == "reset":
                    continue
                rep.run("numbers: the %s table equals pyheat report's" % o["label"], compare_obs, real, o)
                if o["label"] == "all":
                    rep.run("numbers: equal pyheat info --json (counts, shares, 95% CI)", compare_info, real, o)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
