#!/usr/bin/python3
"""Finding the interpreter without symbols, and reading targets in containers.

scan: pyenv 2.7 and 3.6 keep `interp_head` only in .symtab. A private copy
of their libpython with .symtab stripped is loaded through LD_LIBRARY_PATH;
pyheat must then find the interpreter by scanning the library's data and
read the right stack.

containers: a target started under `unshare -p -m --fork --mount-proc` from
an interpreter mounted at a path that exists only inside that mount
namespace. From the host pyheat must read it through /proc/PID/root, show
file names as the target sees them and host TIDs (not the namespace's).
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import TARGETS, Failure, Report, Target, check, marks, run_pyheat  # noqa: E402
import pythons  # noqa: E402

IDLE = os.path.join(TARGETS, "idle.py")
KNOWN = os.path.join(TARGETS, "known_stack.py")
KNOWN_PY3 = glob.glob(os.path.join(TARGETS, "known_stack_py3_*.py"))


def pyenv_root():
    root = os.environ.get("PYENV_ROOT")
    if not root:
        try:
            root = subprocess.run(["pyenv", "root"], capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except OSError:
            root = ""
    return root or os.path.expanduser("~/.pyenv")


def pyenv_version(minor):
    """(version dir, python binary) of the newest pyenv `minor`, or None."""
    hits = sorted(glob.glob(os.path.join(pyenv_root(), "versions", minor + ".*", "bin",
                                         "python" + minor)))
    if not hits:
        return None
    return os.path.dirname(os.path.dirname(hits[-1])), hits[-1]


def dump_json(pid):
    r = run_pyheat(["dump", "--pid", str(pid), "--json"])
    check(r.returncode == 0, "pyheat dump exit %d: %s" % (r.returncode, r.stderr.strip()))
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        raise Failure("bad JSON (%s): %r" % (e, r.stdout[:500]))


def mapped_files(pid):
    with open("/proc/%d/maps" % pid) as fh:
        return set(l.split(None, 5)[5].strip() for l in fh if len(l.split(None, 5)) == 6)


def stack_of(doc, thread_id=None):
    threads = doc["threads"]
    if thread_id is not None:
        threads = [t for t in threads if t["thread_id"] == thread_id]
        check(len(threads) == 1, "%d threads with thread_id %d" % (len(threads), thread_id))
    check(threads, "no threads in the dump")
    return [(f["name"], f["file"], f["line"]) for f in threads[0]["frames"]]


# ---- the scan path ---------------------------------------------------------

def t_scan(minor, soname):
    found = pyenv_version(minor)
    vdir, exe = found
    orig = os.path.join(vdir, "lib", soname)
    check(os.path.exists(orig), "%s is missing (pyenv %s not built --enable-shared)" % (orig, minor))
    nm = subprocess.run(["nm", orig], capture_output=True, text=True, timeout=60)
    check(" interp_head\n" in nm.stdout, "the original %s has no interp_head in .symtab: "
          "nothing to test" % orig)
    nmd = subprocess.run(["nm", "-D", orig], capture_output=True, text=True, timeout=60)
    check("interp_head" not in nmd.stdout, "interp_head is exported: stripping proves nothing")

    tmp = tempfile.mkdtemp(prefix="pyheat-scan-")
    try:
        copy = os.path.join(tmp, soname)
        shutil.copy(orig, copy)
        subprocess.run(["strip", "--strip-debug", "--strip-unneeded", copy], check=True, timeout=60)
        sections = subprocess.run(["readelf", "-S", "-W", copy], capture_output=True, text=True,
                                  timeout=60).stdout
        check(".dynsym" in sections, "readelf shows no sections: %r" % sections[:300])
        check(".symtab" not in sections and ".debug_info" not in sections,
              "%s still has .symtab/.debug_info" % copy)
        nm = subprocess.run(["nm", copy], capture_output=True, text=True, timeout=60)
        check("interp_head" not in nm.stdout and "no symbols" in nm.stderr,
              "nm still finds symbols in the copy: %r %r" % (nm.stdout[:200], nm.stderr[:200]))

        env = dict(os.environ, LD_LIBRARY_PATH=tmp)
        with Target([exe, IDLE], env=env) as t:
            files = mapped_files(t.pid)
            check(copy in files, "the target did not map the stripped copy %s" % copy)
            check(orig not in files and os.path.realpath(orig) not in files,
                  "the target mapped the original %s too" % orig)
            doc = dump_json(t.pid)
            check(doc["python_file"] == copy, "python_file %r, want the copy %r"
                  % (doc["python_file"], copy))
            check(doc["python"].startswith(minor + "."), "version %r, want %s.x"
                  % (doc["python"], minor))
            check(len(doc["threads"]) == 1, "%d threads, want 1" % len(doc["threads"]))
            check(doc["threads"][0]["tid"] == t.pid, "tid %r, want %d" % (doc["threads"][0]["tid"], t.pid))
            m = marks(IDLE)
            got = [(n, l) for n, f, l in stack_of(doc)]
            want = [("idle_wait", m["idle-sleep"]), ("main", m["idle-call"]),
                    ("<module>", m["idle-main"])]
            check(got == want, "stack %r, want %r" % (got, want))
            for _, f, _ in stack_of(doc):
                check(os.path.basename(f) == "idle.py", "frame file %r" % f)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- containers ------------------------------------------------------------

NS_SCRIPT = """set -e
mount -t tmpfs pyheat-ns-test "$NS"
mkdir "$NS/py" "$NS/app"
mount --bind "$SRC" "$NS/py"
cp "$@" "$NS/app/"
exec env $NSENV "$NS/py/$EXE" "$NS/app/known_stack.py" "$HOSTTMP/ready.json"
"""


def children(ppid):
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as fh:
                if int(fh.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    out.append(int(name))
        except (IOError, OSError, ValueError, IndexError):
            pass
    return out


def nspid(pid):
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("NSpid:"):
                return [int(x) for x in line.split()[1:]]
    return []


def t_container(src, exe_rel, env_ns):
    """src: a directory bind-mounted at $NS/py inside the namespace; exe_rel:
    the interpreter under it; env_ns: 'K=V' strings for the target, with
    $NS expanded."""
    host = tempfile.mkdtemp(prefix="pyheat-ns-")
    os.chmod(host, 0o755)
    ns = os.path.join(host, "ns")          # empty on the host; a tmpfs inside
    os.mkdir(ns)
    script = os.path.join(host, "run.sh")
    with open(script, "w") as fh:
        fh.write(NS_SCRIPT)
    env = dict(os.environ, NS=ns, SRC=src, EXE=exe_rel, HOSTTMP=host,
               NSENV=" ".join(e.replace("$NS", ns) for e in env_ns) or "PYHEAT_NS_TEST=1")
    unshare = subprocess.Popen(["unshare", "-p", "-m", "--fork", "--mount-proc", "--kill-child",
                                "sh", script, KNOWN] + KNOWN_PY3, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    hostpid = None
    try:
        ready = os.path.join(host, "ready.json")
        deadline = time.time() + 30
        while not os.path.exists(ready):
            if unshare.poll() is not None:
                raise Failure("namespace target exited (%d): %s" % (
                    unshare.returncode, unshare.stderr.read().decode("utf-8", "replace")[-1500:]))
            check(time.time() < deadline, "namespace target not ready after 30s")
            time.sleep(0.05)
        with open(ready) as fh:
            doc_ready = json.load(fh)
        kids = children(unshare.pid)
        check(len(kids) == 1, "unshare has %d children: %r" % (len(kids), kids))
        hostpid = kids[0]
        ids = nspid(hostpid)
        check(len(ids) >= 2 and ids[0] == hostpid and ids[-1] == doc_ready["pid"],
              "NSpid of %d is %r, target says it is %d: not in a child pid namespace"
              % (hostpid, ids, doc_ready["pid"]))
        check(doc_ready["pid"] != hostpid, "namespace pid equals host pid")

        app_file = os.path.join(ns, "app", "known_stack.py")
        py_dir = os.path.join(ns, "py")
        check(not os.path.exists(app_file) and not os.path.exists(os.path.join(py_dir, exe_rel)),
              "%s is visible on the host: the test proves nothing" % ns)
        exe_ns = os.path.join(py_dir, exe_rel)
        check(os.readlink("/proc/%d/exe" % hostpid) == exe_ns,
              "target's exe is %s, want %s" % (os.readlink("/proc/%d/exe" % hostpid), exe_ns))

        doc = dump_json(hostpid)
        check(doc["pid"] == hostpid, "dump pid %r" % doc["pid"])
        check(doc["executable"] == exe_ns, "executable %r, want %r" % (doc["executable"], exe_ns))
        check(doc["python_file"].startswith(py_dir + "/"),
              "python_file %r is not under the namespace-only %s" % (doc["python_file"], py_dir))
        check(doc["python_file"] in mapped_files(hostpid), "python_file %r is not mapped"
              % doc["python_file"])

        # host TIDs: every one a thread of the host pid, distinct, named as /proc names it
        tasks = set(int(x) for x in os.listdir("/proc/%d/task" % hostpid))
        tids = [t["tid"] for t in doc["threads"]]
        want_threads = len(doc_ready["threads"]) + (1 if doc_ready["extra"].get("subinterp_thread") else 0)
        check(len(tids) >= want_threads, "%d threads dumped, the target has %d Python threads"
              % (len(tids), want_threads))
        # a thread running a sub-interpreter has a thread state in each
        pairs = [(t["interpreter"], t["tid"]) for t in doc["threads"]]
        check(len(set(pairs)) == len(pairs), "duplicate TIDs: %r" % pairs)
        stray = [t for t in tids if t not in tasks]
        check(not stray, "TIDs %r are not threads of host pid %d (tasks %r): namespace TIDs?"
              % (stray, hostpid, sorted(tasks)))
        main_tid = [t["tid"] for t in doc["threads"]
                    if str(t["thread_id"]) in doc_ready["threads"]
                    and doc_ready["threads"][str(t["thread_id"])] == "main"]
        check(main_tid == [hostpid], "main thread's tid %r, want the host pid %d" % (main_tid, hostpid))
        for t in doc["threads"]:
            with open("/proc/%d/task/%d/comm" % (hostpid, t["tid"])) as fh:
                comm = fh.read().strip()
            check(t["name"] == comm, "thread %d named %r, /proc says %r" % (t["tid"], t["name"], comm))
            check(t["state"] != "unknown", "thread %d state unknown" % t["tid"])

        # stacks, with the file names the target sees
        m = marks(KNOWN)
        idents = dict((v, int(k)) for k, v in doc_ready["threads"].items())
        got = [(n, f, l) for n, f, l in stack_of(doc, idents["main"])]
        want = [("main", app_file, m["main-wait"]), ("<module>", app_file, m["main-call"])]
        check(got[-2:] == want, "main thread stack %r, want it to end with %r" % (got, want))
        got = [(n, f, l) for n, f, l in stack_of(doc, idents["nested"])]
        # (3.11+ shows qualnames: outer_fn.<locals>.nested_fn)
        mine = [(n.split(".")[-1], f, l) for n, f, l in got if f == app_file]
        check(mine == [("park", app_file, m["park"]), ("nested_fn", app_file, m["nested-call"]),
                       ("outer_fn", app_file, m["outer-call"])], "nested thread stack %r" % got)
        # and the target is still fine
        check(unshare.poll() is None and os.path.exists("/proc/%d" % hostpid),
              "the namespace target died")
    finally:
        if hostpid:
            try:
                os.kill(hostpid, 9)
            except OSError:
                pass
        if unshare.poll() is None:
            unshare.kill()
        unshare.wait()
        for f in (unshare.stdout, unshare.stderr):
            f.close()
        shutil.rmtree(host, ignore_errors=True)


def main():
    report = Report("test_scan")

    for minor, soname in (("2.7", "libpython2.7.so.1.0"), ("3.6", "libpython3.6m.so.1.0")):
        name = "scan: stripped %s finds pyenv %s's interpreter" % (soname, minor)
        if pyenv_version(minor) is None:
            report.skip(name, "pyenv %s is not installed under %s" % (minor, pyenv_root()))
        else:
            report.run(name, t_scan, minor, soname)

    if not shutil.which("unshare") or os.geteuid() != 0:
        report.skip("containers", "needs root and util-linux unshare")
        return report.finish()

    for minor in ("3.11", "2.7"):
        found = pyenv_version(minor)
        name = "container: pyenv %s in a pid+mount namespace" % minor
        if found is None:
            report.skip(name, "pyenv %s is not installed" % minor)
            continue
        vdir, exe = found
        report.run(name, t_container, vdir, os.path.relpath(exe, vdir), ["LD_LIBRARY_PATH=$NS/py/lib"])

    # a Debian build (static libpython in the executable), from the provisioned tree
    py314 = [p for p in pythons.discover()[0] if p.name.startswith("provisioned-3.14.")
             and not p.debug and p.path.endswith("/usr/bin/python3.14")]
    name = "container: debian static python3.14 in a pid+mount namespace"
    if not py314:
        report.skip(name, "no provisioned python3.14 (see %s)" % pythons.pythons_txt())
    else:
        usr = os.path.dirname(os.path.dirname(py314[0].path))
        report.run(name, t_container, usr, "bin/python3.14", [])
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
