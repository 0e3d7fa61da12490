#!/usr/bin/python3
"""Every error of `pyheat dump`: its exit code (include/error.h), exactly one
line on stderr starting 'pyheat: ', nothing on stdout, and the target left
running and unstopped.

Real processes throughout: a PID that has gone, `sleep`, a zombie, a
root-owned Python read by an unprivileged uid, short-lived Pythons that exit
while being read, and a real CPython whose build reports a version pyheat has
no table for (a copy of pyenv 3.12's libpython with Py_Version patched).
"""
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, TARGETS, Report, Target, check, run_pyheat  # noqa: E402
import pythons  # noqa: E402

IDLE = os.path.join(TARGETS, "idle.py")
YAMA = "/proc/sys/kernel/yama/ptrace_scope"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def stat_state(pid, tid=None):
    path = "/proc/%d/stat" % pid if tid is None else "/proc/%d/task/%d/stat" % (pid, tid)
    try:
        with open(path) as fh:
            data = fh.read()
    except (IOError, OSError):
        return None
    return data.rsplit(")", 1)[1].split()[0]


def untouched(pid, what="target"):
    """The target still exists and none of its threads is stopped or traced."""
    state = stat_state(pid)
    check(state is not None, "%s %d is gone after pyheat ran" % (what, pid))
    check(state not in ("t", "T", "Z", "X"), "%s %d is in state %s after pyheat ran" % (what, pid, state))
    for tid in os.listdir("/proc/%d/task" % pid):
        st = stat_state(pid, int(tid))
        check(st not in ("t", "T"), "%s %d thread %s is stopped (%s)" % (what, pid, tid, st))
    with open("/proc/%d/status" % pid) as fh:
        tracer = [l for l in fh if l.startswith("TracerPid:")][0].split()[1]
    check(tracer == "0", "%s %d is being traced by %s" % (what, pid, tracer))


def expect_error(r, code, *needles):
    """r failed with `code` and one 'pyheat: ' line naming each of needles."""
    check(r.returncode >= 0, "pyheat died of signal %d; stderr=%r" % (-r.returncode, r.stderr))
    check(r.returncode == code, "exit %d, want %d; stderr=%r" % (r.returncode, code, r.stderr))
    lines = r.stderr.splitlines()
    check(len(lines) == 1, "want exactly one stderr line, got %d: %r" % (len(lines), r.stderr))
    check(lines[0].startswith("pyheat: "), "stderr does not start with 'pyheat: ': %r" % lines[0])
    check(r.stdout == "", "an error printed on stdout: %r" % r.stdout[:300])
    low = lines[0].lower()
    for n in needles:
        check(n.lower() in low, "message %r does not mention %r" % (lines[0], n))
    return lines[0]


def pick(found, *prefixes):
    for pre in prefixes:
        for p in found:
            if p.name.startswith(pre):
                return p
    return None


def idle(py):
    return Target([py.path, IDLE])


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    check(not os.path.exists("/proc/%d" % p.pid), "pid %d was reused at once" % p.pid)
    return p.pid


def t_no_such_process():
    pid = dead_pid()
    r = run_pyheat(["dump", "--pid", str(pid)])
    expect_error(r, 65, "no such process", str(pid))


def t_usage(args, *needles):
    def fn():
        expect_error(run_pyheat(args), 64, *needles)
    return fn


def t_usage_extra_arg(py):
    # a valid live target, so the extra argument is the only thing wrong
    with idle(py) as t:
        r = run_pyheat(["dump", "--pid", str(t.pid), "surplus"])
        expect_error(r, 64, "surplus")
        untouched(t.pid)


def t_no_args():
    r = subprocess.run([PYHEAT], capture_output=True, text=True, timeout=30)
    check(r.returncode == 64, "exit %d, want 64; stderr=%r" % (r.returncode, r.stderr))
    lines = r.stderr.splitlines()
    check(len(lines) == 1 and lines[0].startswith("pyheat: ") and "--help" in lines[0],
          "want one 'pyheat: ...' line naming --help on stderr: %r" % r.stderr)
    check(r.stdout == "", "usage error printed on stdout: %r" % r.stdout)


def t_help():
    r = run_pyheat(["dump", "--help"])
    check(r.returncode == 0, "dump --help exit %d; stderr=%r" % (r.returncode, r.stderr))
    check(r.stdout.startswith("usage: pyheat dump"), "no usage on stdout: %r" % r.stdout[:200])
    for opt in ("--pid", "--json", "--locals", "--help"):
        check(opt in r.stdout, "dump --help does not list %s" % opt)
    check(r.stderr == "", "dump --help wrote to stderr: %r" % r.stderr)


def t_version():
    r = run_pyheat(["--version"])
    check(r.returncode == 0, "--version exit %d; stderr=%r" % (r.returncode, r.stderr))
    words = r.stdout.split()
    check(len(words) == 2 and words[0] == "pyheat" and words[1][:1].isdigit(),
          "--version printed %r" % r.stdout)


def t_not_python():
    p = subprocess.Popen(["sleep", "1000"])
    try:
        time.sleep(0.1)
        r = run_pyheat(["dump", "--pid", str(p.pid)])
        expect_error(r, 66, "not a CPython process", str(p.pid))
        untouched(p.pid, "sleep")
    finally:
        p.kill()
        p.wait()


def kernel_thread():
    """A kernel thread's pid (PF_KTHREAD in /proc/PID/stat flags), or None."""
    for name in sorted(os.listdir("/proc"), key=lambda n: (len(n), n)):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (IOError, OSError):
            continue
        if int(fields[6]) & 0x00200000 and fields[0] not in ("Z", "X"):
            return int(name)
    return None


def t_kernel_thread(pid):
    r = run_pyheat(["dump", "--pid", str(pid)])
    expect_error(r, 66, "not a CPython process", str(pid))
    untouched(pid, "kernel thread")


ZOMBIE_PARENT = r"""
import json, os, sys, time
child = os.fork()
if child == 0:
    os._exit(0)
while True:
    with open("/proc/%d/stat" % child) as fh:
        if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
            break
    time.sleep(0.01)
tmp = sys.argv[-1] + ".tmp"
with open(tmp, "w") as fh:
    json.dump({"pid": os.getpid(), "child": child}, fh)
os.rename(tmp, sys.argv[-1])
while True:
    time.sleep(3600)
"""


def t_zombie(py):
    with Target([py.path, "-c", ZOMBIE_PARENT]) as t:
        child = t.ready["child"]
        check(stat_state(child) == "Z", "child %d is not a zombie" % child)
        r = run_pyheat(["dump", "--pid", str(child)])
        # a zombie has no memory left to read: documented as "no such process"
        expect_error(r, 65, str(child), "exited")
        check(stat_state(child) == "Z", "the zombie %d changed state: %s" % (child, stat_state(child)))
        untouched(t.pid, "zombie's parent")
        # the parent itself is a live Python and reads fine
        r = run_pyheat(["dump", "--pid", str(t.pid)])
        check(r.returncode == 0, "dump of the zombie's parent: exit %d %r" % (r.returncode, r.stderr))


def nobody_pyheat(tmp):
    """A path to pyheat that uid 65534 can execute."""
    r = subprocess.run(NOBODY + [PYHEAT, "--version"], capture_output=True, text=True, timeout=30)
    if r.returncode == 0:
        return PYHEAT
    os.chmod(tmp, 0o755)
    dst = os.path.join(tmp, "pyheat")
    shutil.copy(PYHEAT, dst)
    os.chmod(dst, 0o755)
    r = subprocess.run(NOBODY + [dst, "--version"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "uid 65534 cannot run a copy of pyheat: %r" % r.stderr)
    return dst


def t_permission(py):
    check(os.geteuid() == 0, "must run as root")
    tmp = tempfile.mkdtemp(prefix="pyheat-perm-")
    try:
        exe = nobody_pyheat(tmp)
        with idle(py) as t:
            check(os.stat("/proc/%d" % t.pid).st_uid == 0, "target is not root-owned")
            # control: root can read it, so a failure below is about the uid
            r = run_pyheat(["dump", "--pid", str(t.pid)])
            check(r.returncode == 0, "root could not dump the target: %d %r" % (r.returncode, r.stderr))
            r = subprocess.run(NOBODY + [exe, "dump", "--pid", str(t.pid)], capture_output=True,
                               text=True, timeout=60)
            needles = ["permission denied", str(t.pid), "root", "CAP_SYS_PTRACE"]
            if os.path.exists(YAMA):
                needles.append("ptrace_scope")
            expect_error(r, 68, *needles)
            untouched(t.pid)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def t_exit_race(pys):
    """Targets that exit while pyheat reads them: 0, 65, 66 or 69, never a
    signal, never another code, at most one line on stderr."""
    rng = random.Random(1234)
    # each interpreter's lifetime, so that the delays span start-up, the
    # sleep, finalization and after the exit
    life = {}
    for py in pys:
        spans = []
        for _ in range(3):
            t0 = time.time()
            subprocess.run([py.path, "-c", "import time; time.sleep(0.05)"], timeout=30)
            spans.append(time.time() - t0)
        life[py.name] = sorted(spans)[1]
    codes = {}
    bad = []
    runs = 0
    deadline = time.time() + 25
    for i in range(105):
        if time.time() > deadline:
            break
        py = pys[i % len(pys)]
        p = subprocess.Popen([py.path, "-c", "import time; time.sleep(0.05)"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 1.2 * life[py.name]))
        try:
            r = run_pyheat(["dump", "--pid", str(p.pid)], timeout=20)
        finally:
            p.wait()
        runs += 1
        codes.setdefault(py.name, {}).setdefault(r.returncode, 0)
        codes[py.name][r.returncode] += 1
        lines = r.stderr.splitlines()
        # a Python that is starting or exiting is never a kernel thread
        if r.returncode not in (0, 65, 66, 69) or len(lines) > 1 or \
                (lines and not lines[0].startswith("pyheat: ")) or "kernel thread" in r.stderr:
            bad.append("%s: exit %d stderr %r" % (py.name, r.returncode, r.stderr[:300]))
    print("    %d runs, lifetimes %s, exit codes by interpreter: %r"
          % (runs, dict((k, round(v, 3)) for k, v in life.items()), codes), flush=True)
    check(not bad, "%d bad run(s): %s" % (len(bad), "; ".join(bad[:5])))
    check(runs >= 60, "only %d runs in the time allowed" % runs)
    for py in pys:
        check(codes.get(py.name, {}).get(0, 0) > 0, "%s was never read successfully: %r"
              % (py.name, codes.get(py.name)))
    check(any(c != 0 for per in codes.values() for c in per),
          "no run caught a target exiting: the race was not exercised")


def elf_symbol_file_offset(data, name):
    """File offset of the bytes of symbol `name` in an ELF64 image."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for sh in secs:
        if sh[1] not in (2, 11):          # SHT_SYMTAB, SHT_DYNSYM
            continue
        stroff = secs[sh[6]][4]
        for j in range(sh[5] // 24):
            st_name, _, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", data, sh[4] + j * 24)
            end = data.index(b"\0", stroff + st_name)
            if data[stroff + st_name:end] == name and 0 < shndx < shnum:
                sec = secs[shndx]
                return value - sec[3] + sec[4]
    return None


def t_unsupported(py):
    """A real CPython 3.12 whose build says it is 3.99: Py_Version (what
    pyheat reads on 3.11+) patched in a private copy of libpython. pyheat must
    refuse it by name rather than read it with the wrong layout."""
    libdir = os.path.join(os.path.dirname(os.path.dirname(py.path)), "lib")
    lib = os.path.join(libdir, "libpython3.12.so.1.0")
    tmp = tempfile.mkdtemp(prefix="pyheat-unsup-")
    try:
        copy = os.path.join(tmp, "libpython3.12.so.1.0")
        with open(lib, "rb") as fh:
            data = bytearray(fh.read())
        off = elf_symbol_file_offset(data, b"Py_Version")
        check(off is not None, "no Py_Version in %s" % lib)
        old, = struct.unpack_from("<I", data, off)
        check(old >> 16 == 0x030c, "Py_Version in %s is %#x, not 3.12" % (lib, old))
        struct.pack_into("<I", data, off, 0x036300f0)      # 3.99.0 final
        with open(copy, "wb") as fh:
            fh.write(data)
        env = dict(os.environ, LD_LIBRARY_PATH=tmp)
        with Target([py.path, IDLE], env=env) as t:
            with open("/proc/%d/maps" % t.pid) as fh:
                check(copy in fh.read(), "target did not map the patched copy")
            r = run_pyheat(["dump", "--pid", str(t.pid)])
            expect_error(r, 67, "3.99", "not supported", str(t.pid))
            untouched(t.pid)
        # control: the unpatched library is read fine
        with idle(py) as t:
            r = run_pyheat(["dump", "--pid", str(t.pid), "--json"])
            check(r.returncode == 0, "unpatched 3.12: exit %d %r" % (r.returncode, r.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    report = Report("test_errors")
    found, _skipped = pythons.discover()
    py = pick(found, "pyenv-3.11", "system-", "pyenv-3.")
    if py is None:
        print("no python found"); return 1

    report.run("no such process -> 65", t_no_such_process)
    report.run("--pid 0 -> 64", t_usage(["dump", "--pid", "0"], "--pid", "'0'"))
    report.run("--pid abc -> 64", t_usage(["dump", "--pid", "abc"], "--pid", "abc"))
    report.run("--pid -5 -> 64", t_usage(["dump", "--pid", "-5"], "--pid"))
    report.run("missing --pid -> 64", t_usage(["dump"], "--pid"))
    report.run("--pid without value -> 64", t_usage(["dump", "--pid"], "--pid", "needs a value"))
    report.run("unknown option -> 64", t_usage(["dump", "--bogus"], "--bogus"))
    report.run("unexpected argument -> 64", t_usage_extra_arg, py)
    report.run("unknown subcommand -> 64", t_usage(["frobnicate"], "frobnicate"))
    report.run("no arguments -> 64", t_no_args)
    report.run("dump --help -> 0", t_help)
    report.run("--version -> 0", t_version)
    report.run("not a Python process (sleep) -> 66", t_not_python)
    kt = kernel_thread()
    if kt:
        report.run("kernel thread -> 66", t_kernel_thread, kt)
    else:
        report.skip("kernel thread -> 66", "no kernel thread visible in this pid namespace")
    report.run("zombie -> 65", t_zombie, py)
    report.run("permission denied (uid 65534) -> 68", t_permission, py)

    race = [p for p in (pick(found, "pyenv-3.11"), pick(found, "pyenv-2.7"),
                        pick(found, "provisioned-3.14.")) if p]
    missing = 3 - len(race)
    if missing:
        print("    exit race: %d of pyenv-3.11/pyenv-2.7/provisioned-3.14 missing" % missing)
    if race:
        report.run("target exits during the read (%s)" % ", ".join(p.name for p in race),
                   t_exit_race, race)
    else:
        report.skip("target exits during the read", "no interpreter")

    py312 = pick(found, "pyenv-3.12")
    if py312 and os.path.exists(os.path.join(os.path.dirname(os.path.dirname(py312.path)), "lib",
                                             "libpython3.12.so.1.0")):
        report.run("unsupported CPython build (3.12 patched to say 3.99) -> 67", t_unsupported, py312)
    else:
        report.skip("unsupported CPython build", "needs pyenv 3.12 built --enable-shared")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
