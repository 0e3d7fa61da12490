#!/usr/bin/python3
"""pyheat attach / top: the live view, driven in a real terminal (tmux).

Each pyheat runs in a tmux pane (new-session -d -x 160 -y 50) under a small
wrapper (this script with --wrap) that records `stty -g` before and after
and pyheat's exit status, so every way out can be checked to restore the
terminal. Keys go in with send-keys; the screen comes back with
capture-pane -p (-e for colours). The sessions run side by side against
real targets (tests/targets/):

  1. shares.py (50/30/20 CPU): the hottest function on top within seconds;
     n / T / o sort by name / total / own; / filters (Esc clears); l shows
     lines; m cycles cpu -> wall -> gil -> cpu; Enter drills in (callers,
     callees, lines) and follows a caller, Esc backs out; p freezes the view
     and resumes it; r resets it; s writes a snapshot (raw + PNG + HTML) that
     `pyheat info` reads; ? shows the help; the window resized to 100x30 and
     60x15 redraws to fit; q exits 0 with the terminal restored, and -o STEM
     keeps a complete recording of the whole session;
  2. live_threads.py: t cycles through each thread (only its function in the
     table) and back to all; wall mode shows the sleeping thread; SIGTERM
     exits 0 with the terminal restored;
  3. live_hostile.py: a function and file named with SGR, OSC-title and C1
     sequences shows them escaped: no raw ESC reaches the pane, its title
     is unchanged, nothing turns red; Ctrl-C exits 0, terminal restored;
  4. `pyheat top -- live_exit.py 4 5`: "process exited (status 5)" and the
     final view stays (keys still work) until q, which exits 5;
  5. terminals: vt100, linux, screen, NO_COLOR and (when terminfo has it)
     xterm-direct each draw the view: shading characters without colour,
     256-colour or truecolour cells where the terminal has them;
  6. without a terminal: exit 72 with one line that suggests `pyheat record`.

PYHEAT_UPDATE_SCREENS=1 also writes the screens to docs/screens/.
"""
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, ROOT, TARGETS, Failure, Report, Target, check, marks  # noqa: E402

THIS = os.path.abspath(__file__)
PY = sys.executable
SHARES = os.path.join(TARGETS, "shares.py")
THREADS = os.path.join(TARGETS, "live_threads.py")
HOSTILE = os.path.join(TARGETS, "live_hostile.py")
EXIT = os.path.join(TARGETS, "live_exit.py")
SCREENS = os.path.join(ROOT, "docs", "screens")
UPDATE_SCREENS = os.environ.get("PYHEAT_UPDATE_SCREENS") == "1"
SLOW = 2.0 if os.environ.get("PYHEAT_SAN") == "1" else 1.0
TMUX = ["tmux", "-L", "pyheat-live-%d" % os.getpid(), "-f", "/dev/null"]
ENV = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
ENV.update(LANG="C.UTF-8", LC_ALL="C.UTF-8")


# ---- the wrapper that runs inside a pane ------------------------------------------

def wrap(argv):
    """--wrap DIR PYHEAT ARGS...: run pyheat on this terminal, then write
    DIR/result.json with its exit status and stty -g before and after."""
    out, cmd = argv[0], argv[1:]
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for pyheat
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)
    before = subprocess.run(["stty", "-g"], capture_output=True, text=True).stdout.strip()
    p = subprocess.Popen(cmd)
    with open(os.path.join(out, "pid.tmp"), "w") as fh:
        fh.write(str(p.pid))
    os.rename(os.path.join(out, "pid.tmp"), os.path.join(out, "pid"))
    rc = p.wait()
    after = subprocess.run(["stty", "-g"], capture_output=True, text=True).stdout.strip()
    with open(os.path.join(out, "result.tmp"), "w") as fh:
        json.dump({"rc": rc, "before": before, "after": after}, fh)
    os.rename(os.path.join(out, "result.tmp"), os.path.join(out, "result.json"))
    print("[wrapper: pyheat exited %d]" % rc, flush=True)
    time.sleep(600)


# ---- panes -------------------------------------------------------------------------

def tmux(*args, check_rc=True):
    r = subprocess.run(TMUX + list(args), capture_output=True, text=True, env=ENV, timeout=30)
    if check_rc and r.returncode != 0:
        raise Failure("tmux %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


class Pane:
    def __init__(self, name, args, term="xterm-256color", env=None, x=160, y=50):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="pyheat-live-")
        self.term = term
        envs = ["LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TERM=%s" % term] + ["%s=%s" % kv for kv in (env or {}).items()]
        if "NO_COLOR" not in (env or {}):
            envs = ["-u", "NO_COLOR"] + envs
        cmd = ["env"] + envs + [PY, THIS, "--wrap", self.dir, PYHEAT] + list(args)
        tmux("new-session", "-d", "-x", str(x), "-y", str(y), "-s", name, "-c", self.dir, shlex.join(cmd))
        self.title0 = self.title()
        deadline = time.time() + 20 * SLOW
        while not os.path.exists(os.path.join(self.dir, "pid")):
            if time.time() > deadline:
                raise Failure("%s: pyheat did not start: %s" % (name, self.screen()))
            time.sleep(0.05)
        with open(os.path.join(self.dir, "pid")) as fh:
            self.pid = int(fh.read())

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.name]
        if escapes:
            args.insert(2, "-e")
        return tmux(*args, check_rc=False)

    def lines(self):
        return self.screen().split("\n")

    def keys(self, *keys, pause=0.15):
        for k in keys:
            tmux("send-keys", "-t", self.name, k)
            time.sleep(pause)

    def type(self, text):
        tmux("send-keys", "-t", self.name, "-l", text)

    def title(self):
        return tmux("display", "-p", "-t", self.name, "#{pane_title}").strip()

    def alternate(self):
        return tmux("display", "-p", "-t", self.name, "#{alternate_on}").strip()

    def wait(self, what, pred, timeout=15):
        deadline = time.time() + timeout * SLOW
        while True:
            s = self.screen()
            if pred(s):
                return s
            if time.time() > deadline:
                raise Failure("%s: timed out waiting for %s; screen:\n%s" % (self.name, what, s))
            time.sleep(0.2)

    def wait_text(self, text, timeout=15):
        return self.wait(repr(text), lambda s: text in s, timeout)

    def result(self, timeout=30):
        path = os.path.join(self.dir, "result.json")
        deadline = time.time() + timeout * SLOW
        while not os.path.exists(path):
            if time.time() > deadline:
                raise Failure("%s: pyheat did not exit; screen:\n%s" % (self.name, self.screen()))
            time.sleep(0.1)
        with open(path) as fh:
            return json.load(fh)

    def check_restored(self, res, rc=0):
        check(res["rc"] == rc, "%s: exit status %s, wanted %s; screen:\n%s" % (self.name, res["rc"], rc,
                                                                             self.screen()))
        check(res["before"] == res["after"], "%s: terminal modes not restored: %r -> %r"
              % (self.name, res["before"], res["after"]))
        check(self.alternate() == "0", "%s: still on the alternate screen" % self.name)
        cursor = tmux("display", "-p", "-t", self.name, "#{cursor_flag}").strip()
        check(cursor == "1", "%s: the cursor is still hidden" % self.name)

    def save(self, name, text=None):
        if UPDATE_SCREENS:
            os.makedirs(SCREENS, exist_ok=True)
            with open(os.path.join(SCREENS, name), "w", encoding="utf-8") as fh:
                fh.write((text if text is not None else self.screen()).rstrip() + "\n")


# ---- screen parsing ------------------------------------------------------------------

ROW = re.compile(r"^\s*(\d+\.\d)\s+(\d+\.\d)\s+(?:(\d\S*)\s+(\d\S*)\s+)?(\S.*?)\s+(\S+:\d+)\s*$")


def table(screen):
    """The table's rows below the heading: [(own, total, owntime, tottime, name, file)]."""
    lines = screen.split("\n")
    start = None
    for i, line in enumerate(lines):
        if "OWN%" in line and "TOTAL%" in line:
            start = i + 1
    rows = []
    if start is None:
        return rows
    for line in lines[start:]:
        m = ROW.match(line)
        if m:
            rows.append((float(m.group(1)), float(m.group(2)), m.group(3), m.group(4), m.group(5).strip(),
                         m.group(6)))
    return rows


def first_row(screen):
    rows = table(screen)
    return rows[0][4] if rows else None


def seconds(s):
    """'1.23s', '12.3s', '1m02s', '1h02m' -> seconds."""
    m = re.match(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$", s)
    if not m:
        return None
    h, mi, se = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(se or 0)


# ---- the checks ----------------------------------------------------------------------

def check_session(p):
    """--window 5: the table covers 5 s; w switches to the whole session,
    whose own times add up past it, and back."""
    def main_total(s):
        t = [seconds(r[3]) for r in table(s) if r[4] == "main"]
        return t[0] if t and t[0] is not None else None
    s = p.wait("a 5 s window with main's total over 4 s",
               lambda s: " 5s " in s.split("\n")[1] and (main_total(s) or 0) > 4.0, timeout=30)
    check(main_total(s) <= 5.5, "main's total time in a 5 s window: %s" % main_total(s))
    time.sleep(3 * SLOW)
    p.keys("w")
    s = p.wait("the whole session", lambda s: " session " in s.split("\n")[1] and "whole session" in s
               and (main_total(s) or 0) > 6.0, timeout=20)
    p.save("top-session.txt", s)
    title = [line for line in s.split("\n") if "whole session" in line][0]
    check(re.search(r"whole session [0-9.]+s \(1\.00s a column", title), "session heatmap title: %s" % title)
    check(table(s)[0][4] == "alpha", "session rows: %s" % [r[4] for r in table(s)])
    p.keys("w")
    s = p.wait("back to the window", lambda s: " 5s " in s.split("\n")[1] and "whole session" not in s
               and (main_total(s) or 99) <= 5.5)
    p.keys("q")


def check_main(p, stem):
    # the first second holds ~100 samples of slices drawn at random: beta
    # (30%) and gamma (20%) may swap until a few seconds have been counted
    s = p.wait("alpha, beta, gamma on top",
               lambda s: [r[4] for r in table(s)][:3] == ["alpha", "beta", "gamma"], timeout=20)
    p.save("top.txt", s)
    head = s.split("\n")[0] + s.split("\n")[1]
    for want in ("pid %d" % p.target_pid, "Python ", "threads 1", "samples", "rate", "GIL", "errors"):
        check(want in head, "header lacks %r: %s" % (want, head))

    # sort by name, total, own
    p.keys("n")
    s = p.wait("name order", lambda s: "FUNCTION\u25bc" in s)
    names = [r[4] for r in table(s)]
    check([n for n in names if n in ("alpha", "beta", "gamma", "main")] == ["alpha", "beta", "gamma", "main"],
          "rows by name: %s" % names)
    p.keys("T")
    s = p.wait("total order", lambda s: "TOTAL%\u25bc" in s)
    rows = table(s)
    check(rows and rows[0][1] >= 99.0 and rows[0][4] in ("main", "<module>"), "rows by total: %s" % rows[:3])
    p.keys("o")
    s = p.wait("own order", lambda s: "OWN%\u25bc" in s and first_row(s) == "alpha")

    # filter
    p.keys("/")
    p.wait_text("filter: ")
    p.type("gam")
    p.keys("Enter")
    s = p.wait("the filter", lambda s: 'filter "gam"' in s)
    names = [r[4] for r in table(s)]
    check(names == ["gamma"], "filtered rows: %s" % names)
    p.keys("Escape")
    s = p.wait("the filter cleared", lambda s: 'filter "gam"' not in s and len(table(s)) >= 4)

    # lines
    alpha_line = marks(SHARES)["alpha"]
    p.keys("l")
    s = p.wait("line rows", lambda s: "FILE:LINE" in s and "shares.py:%d" % alpha_line in s)
    p.save("top-lines.txt", s)
    p.keys("l")
    p.wait("function rows", lambda s: "FILE:FIRST LINE" in s)

    # modes
    for mode in ("wall", "gil", "cpu"):
        p.keys("m")
        p.wait("mode %s" % mode, lambda s, m=mode: "[%s]" % m in s.split("\n")[1])

    # drill-down: alpha's callers and lines; follow the caller (main) to its callees
    p.wait("alpha selected on top", lambda s: first_row(s) == "alpha")
    p.keys("Enter")
    s = p.wait("the drill-down", lambda s: "DRILL-DOWN" in s and "CALLERS" in s and "LINES" in s)
    p.save("top-drill.txt", s)
    callers = s.split("CALLERS", 1)[1].split("CALLEES", 1)[0]
    check(" main " in callers, "alpha's callers: %s" % callers)
    lines = s.split("LINES", 1)[1]
    check("line %d" % alpha_line in lines, "alpha's lines: %s" % lines)
    p.keys("Enter")
    s = p.wait("main's drill-down", lambda s: "CALLEES" in s and " beta " in s.split("CALLEES", 1)[1])
    callees = s.split("CALLEES", 1)[1].split("LINES", 1)[0]
    for fn in ("alpha", "beta", "gamma"):
        check(" %s " % fn in callees, "main's callees: %s" % callees)
    p.keys("Escape", "Escape")
    p.wait("back to the table", lambda s: "DRILL-DOWN" not in s and "FILE:FIRST LINE" in s)

    # pause: the table stays as it is while sampling goes on; then resume
    p.keys("p")
    s1 = p.wait_text("PAUSED")
    t1 = table(s1)
    time.sleep(2.2)
    s2 = p.screen()
    check("PAUSED" in s2 and table(s2) == t1, "the paused view changed:\n%s\n%s" % (t1, table(s2)))
    p.keys("p")
    p.wait("resumed", lambda s: "PAUSED" not in s and table(s) != t1)

    # reset: main's total time starts again from about 0
    s = p.screen()
    main_total = [seconds(r[3]) for r in table(s) if r[4] == "main"]
    check(main_total and main_total[0] and main_total[0] > 3, "main's total time before reset: %s" % main_total)
    p.keys("r")
    p.wait_text("reset")
    s = p.wait("a reset table", lambda s: any(r[4] == "main" and (seconds(r[3]) or 99) < 2.5 for r in table(s)))

    # snapshot
    p.keys("s")
    s = p.wait("the snapshot", lambda s: "snapshot:" in s or "snapshot failed" in s, timeout=30)
    check("snapshot failed" not in s and "rendering failed" not in s, "snapshot: %s" % s.split("\n")[2])
    snap = stem + "-snap1"
    for ext in (".pyheat", ".png", ".html"):
        check(os.path.exists(snap + ext), "snapshot file %s missing (status: %s)" % (snap + ext, s.split("\n")[2]))
    with open(snap + ".png", "rb") as fh:
        check(fh.read(8) == b"\x89PNG\r\n\x1a\n", "the snapshot PNG is not a PNG")
    with open(snap + ".html", encoding="utf-8", errors="replace") as fh:
        check("<html" in fh.read(4096).lower(), "the snapshot HTML is not HTML")
    info = subprocess.run([PYHEAT, "info", snap + ".pyheat"], capture_output=True, text=True, timeout=60)
    check(info.returncode == 0 and "alpha" in info.stdout, "pyheat info on the snapshot: %s %s"
          % (info.returncode, info.stderr))

    # help
    p.keys("?")
    s = p.wait_text("pyheat live view: keys")
    p.save("top-help.txt", s)
    p.keys("x")
    p.wait("help closed", lambda s: "pyheat live view: keys" not in s)

    # resize
    tmux("resize-window", "-t", p.name, "-x", "100", "-y", "30")
    s = p.wait("100x30", lambda s: len(s.rstrip("\n").split("\n")) <= 30 and first_row(s) == "alpha"
               and "Own share per second" in s)
    check(max(len(line) for line in s.split("\n")) <= 100, "wider than 100 columns")
    p.save("top-100x30.txt", s)
    tmux("resize-window", "-t", p.name, "-x", "60", "-y", "15")
    s = p.wait("60x15", lambda s: "Own share per second" not in s and first_row(s) == "alpha"
               and s.split("\n")[0].startswith(" pyheat"))
    check(max(len(line) for line in s.split("\n")) <= 60, "wider than 60 columns")
    tmux("resize-window", "-t", p.name, "-x", "160", "-y", "50")
    p.wait("160x50", lambda s: "Own share per second" in s and first_row(s) == "alpha")

    # quit
    p.keys("q")
    res = p.result()
    p.check_restored(res, 0)
    after = p.screen()
    check("wrote %s.pyheat" % stem in after.replace("\n", ""), "no 'wrote' line after q:\n%s" % after)
    info = subprocess.run([PYHEAT, "info", "--json", stem + ".pyheat"], capture_output=True, text=True,
                          timeout=60)
    check(info.returncode == 0, "pyheat info on the session: %s" % info.stderr)
    doc = json.loads(info.stdout)
    check(doc.get("complete") is True, "the session's recording is not complete: %s" % info.stdout[:300])


def check_threads(p, ready):
    tids = ready["tids"]
    s = p.wait("every thread's function", lambda s: all(" %s " % f in s for f in
                                                        ("spin_red", "spin_blue", "nap_green")), timeout=20)
    p.save("top-threads.txt", s)
    seen = {}
    for _ in range(6):
        p.keys("t")
        time.sleep(0.6)
        s = p.screen()
        hdr = s.split("\n")[1]
        m = re.search(r"\] thread (\d+) (\S*)", hdr)
        if not m:
            check("] all threads" in hdr, "header names no thread: %s" % hdr)
            break
        tid = int(m.group(1))
        names = {r[4] for r in table(s)}
        mine = names & {"spin_red", "spin_blue", "nap_green", "main_wait"}
        seen[tid] = mine
    want = {tids["red"]: {"spin_red"}, tids["blue"]: {"spin_blue"}, tids["green"]: {"nap_green"}}
    for tid, fn in want.items():
        check(seen.get(tid) == fn, "thread %d (%s) showed %s; all seen: %s" % (tid, fn, seen.get(tid), seen))
    check("] all threads" in p.screen().split("\n")[1], "t did not come back to all threads")
    os.kill(p.pid, signal.SIGTERM)
    p.check_restored(p.result(), 0)


def check_hostile(p):
    s = p.wait_text("evil", timeout=20)
    p.save("top-hostile.txt", s)
    check("evil\\x1b[31mRED\\x1b]0;pwned\\x07" in s, "the hostile name is not shown escaped:\n%s" % s)
    check("<hostile\\x1b]0;pwned-file\\x07>" in s, "the hostile file is not shown escaped:\n%s" % s)
    check("\\u202e" in s and "\\u009b" in s, "bidi override / C1 CSI not escaped:\n%s" % s)
    check("\x1b" not in s and "\x07" not in s and "\u202e" not in s, "raw control characters in the pane")
    check(p.title() == p.title0 and "pwned" not in p.title(), "the pane title changed: %r" % p.title())
    esc = p.screen(escapes=True)
    check("\x1b[31m" not in esc, "something turned red")
    p.keys("C-c")
    p.check_restored(p.result(), 0)
    check(p.title() == p.title0, "the pane title changed: %r" % p.title())


def check_exit(p):
    s = p.wait_text("process exited (status 5)", timeout=30)
    check(any(r[4] == "busy_until_exit" for r in table(s)), "the final view lost its rows:\n%s" % s)
    p.save("top-exited.txt", s)
    p.keys("T")
    s = p.wait("sorted after the exit", lambda s: "TOTAL%\u25bc" in s and "process exited" in s)
    p.keys("/")
    p.type("busy")
    p.keys("Enter")
    s = p.wait("filtered after the exit", lambda s: 'filter "busy"' in s)
    check([r[4] for r in table(s)] == ["busy_until_exit"], "rows after the exit:\n%s" % s)
    p.keys("q")
    p.check_restored(p.result(), 5)


def check_term(p, colours):
    s = p.wait("alpha", lambda s: first_row(s) == "alpha", timeout=20)
    time.sleep(1.2)
    esc = p.screen(escapes=True)
    shades = any(c in esc for c in "\u2591\u2592\u2593\u2588")
    if colours == "256":
        check("48;5;" in esc, "%s: no 256-colour cells" % p.name)
    elif colours == "direct":
        check("48;2;" in esc or "48:2:" in esc, "%s: no truecolour cells" % p.name)
    else:
        check(shades, "%s: no shading characters:\n%s" % (p.name, s))
        check("48;5;" not in esc and "48;2;" not in esc, "%s: 256 or truecolour on a %s terminal"
              % (p.name, colours))
    if colours == "none" and p.term == "vt100":
        p.save("top-vt100.txt", s)
    if p.name == "nocolor":
        p.save("top-nocolor.txt", s)
    p.keys("q")
    p.check_restored(p.result(), 0)


def check_notty(target_pid):
    r = subprocess.run([PYHEAT, "attach", "--pid", str(target_pid)], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    lines = r.stderr.strip().split("\n")
    check(r.returncode == 72, "exit %d, wanted 72: %s" % (r.returncode, r.stderr))
    check(len(lines) == 1 and "pyheat record" in lines[0], "not one line suggesting record: %r" % r.stderr)
    marker = tempfile.mktemp(prefix="pyheat-live-notty-")
    r = subprocess.run([PYHEAT, "top", "--", PY, "-c", "open(%r, 'w')" % marker], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 72 and len(r.stderr.strip().split("\n")) == 1, "top -- without a terminal: %d %r"
          % (r.returncode, r.stderr))
    check(not os.path.exists(marker), "top -- ran the command without a terminal")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--wrap":
        wrap(sys.argv[2:])
        return 0
    rep = Report("test_live")
    if not shutil.which("tmux"):
        print("tmux is missing (contrib/setup --tests installs it)")
        return 77
    if PY.endswith("python3") and sys.version_info < (3, 8):
        print("needs Python 3.8+ for the targets")
        return 77
    have_direct = bool(shutil.which("infocmp")) and subprocess.run(
        ["infocmp", "xterm-direct"], capture_output=True).returncode == 0
    t0 = time.time()
    work = tempfile.mkdtemp(prefix="pyheat-live-")
    targets, panes = [], []
    try:
        shares = Target([PY, SHARES, os.path.join(work, "truth.json")])
        targets.append(shares)
        threads = Target([PY, THREADS])
        targets.append(threads)
        hostile = Target([PY, HOSTILE])
        targets.append(hostile)
        rep.run("no terminal: exit 72, one line", check_notty, shares.pid)

        stem = os.path.join(work, "session")
        started = time.time()
        main_pane = Pane("main", ["attach", "--pid", str(shares.pid), "-o", stem])
        main_pane.target_pid = shares.pid
        panes.append(main_pane)
        # how soon the first rows show (before the other views start)
        main_pane.wait("the first rows", lambda s: len(table(s)) > 0, timeout=20)
        first_seconds = time.time() - started
        thr = Pane("threads", ["top", "--pid", str(threads.pid), "--mode", "wall"])
        panes.append(thr)
        hos = Pane("hostile", ["top", "--pid", str(hostile.pid), "-m", "wall"])
        panes.append(hos)
        ext = Pane("exit", ["top", "--", PY, EXIT, "4", "5"])
        panes.append(ext)
        ses = Pane("session", ["top", "--pid", str(shares.pid), "--window", "5"])
        panes.append(ses)
        terms = [("vt100", "vt100", {}, "none"), ("linux", "linux", {}, "none"), ("screen", "screen", {}, "8"),
                 ("nocolor", "xterm-256color", {"NO_COLOR": "1"}, "none")]
        if have_direct:
            terms.append(("direct", "xterm-direct", {}, "direct"))
        term_panes = []
        for name, term, env, colours in terms:
            tp = Pane(name, ["top", "--pid", str(shares.pid)], term=term, env=env, x=120, y=30)
            panes.append(tp)
            term_panes.append((tp, colours))

        rep.run("shares: hottest on top; sort, filter, lines, modes, drill-down, pause, reset, snapshot, help, "
                "resize, q", check_main, main_pane, stem)
        # a figure, not a check: a loaded machine can starve any process
        print("  (the first rows showed %.2f s after pyheat started)" % first_seconds)
        rep.run("threads: t cycles each thread and back; SIGTERM", check_threads, thr, threads.ready)
        rep.run("hostile names inert; Ctrl-C", check_hostile, hos)
        rep.run("w: the whole session beside a 5 s window", check_session, ses)
        rep.run("the target exiting: final view kept, q exits with its status", check_exit, ext)
        for tp, colours in term_panes:
            rep.run("TERM=%s%s: %s" % (tp.term, " NO_COLOR=1" if tp.name == "nocolor" else "",
                                        {"none": "shading, no colour", "8": "shading (8 colours)",
                                         "direct": "truecolour cells"}[colours]), check_term, tp, colours)
        if not have_direct:
            rep.skip("TERM=xterm-direct", "no xterm-direct terminfo (Debian's ncurses-term)")
    except Failure as e:
        rep.fail("set-up", str(e))
    finally:
        # a view still running (a check failed): SIGTERM (it cleans up), then SIGKILL
        left = [p for p in panes if not os.path.exists(os.path.join(p.dir, "result.json"))]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in left:
                try:
                    os.kill(p.pid, sig)
                except OSError:
                    pass
            deadline = time.time() + 5
            while left and time.time() < deadline:
                left = [p for p in left if not os.path.exists(os.path.join(p.dir, "result.json"))]
                time.sleep(0.1)
        subprocess.run(TMUX + ["kill-server"], capture_output=True, env=ENV)
        for t in targets:
            t.kill()
        shutil.rmtree(work, ignore_errors=True)
        for p in panes:
            shutil.rmtree(p.dir, ignore_errors=True)
    print("  (%.1f s)" % (time.time() - t0))
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
