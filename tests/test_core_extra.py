#!/usr/bin/env python3
"""Corner cases of finding and reading the interpreter:

- deleted or replaced binaries: the interpreter's files are copied to a
  temporary directory, a target is started from the copy, then the copy is
  deleted (or replaced by another file of the same name, here another
  CPython's); pyheat must read the mapped file through /proc/PID/map_files;
- an embedded interpreter: tests/targets/embed.c (a C program named
  `embedhost`, linked against pyenv's libpython) runs tests/targets/idle.py;
- lone surrogates and undecodable bytes in names: a file name with U+DCFF
  (3.x) or the byte 0xff (2.7) must come out as the visible escape `\\udcff`
  / `\\xff` (include/pyobj.h), in valid UTF-8, in both --json and text
  output; a function name with a CJK Ext-B character comes out as itself.

Run with the system python3: /usr/bin/python3 tests/test_core_extra.py
(PYHEAT_PYTHONS_ONLY=3.11,2.7 narrows the surrogate checks.)"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import PYHEAT, ROOT, TARGETS, Failure, Report, Target, check, marks  # noqa: E402
import pythons  # noqa: E402

IDLE = os.path.join(TARGETS, "idle.py")
EMBED_SRC = os.path.join(TARGETS, "embed.c")


def pyenv_root():
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def pyenv_prefix(minor):
    """The newest pyenv install of `minor` ("3.11"), or None."""
    hits = sorted(d for d in glob.glob(os.path.join(pyenv_root(), "versions", minor + ".*"))
                  if not d.endswith("t") and os.path.exists(os.path.join(d, "bin", "python" + minor)))
    return hits[-1] if hits else None


def dump(pid, *extra):
    """(text, returncode, stderr) of `pyheat dump --pid PID ...`; the output
    must be valid UTF-8."""
    r = subprocess.run([PYHEAT, "dump", "--pid", str(pid)] + list(extra), capture_output=True,
                       timeout=60)
    try:
        out = r.stdout.decode("utf-8")  # strict: invalid UTF-8 fails here
    except UnicodeDecodeError as e:
        raise Failure("pyheat dump %s wrote invalid UTF-8 (%s): %r" % (" ".join(extra), e, r.stdout[:300]))
    return out, r.returncode, r.stderr.decode("utf-8", "replace")


def dump_json(pid):
    out, rc, err = dump(pid, "--json")
    check(rc == 0, "pyheat dump --json exited %d: %s" % (rc, err.strip()))
    try:
        return json.loads(out)
    except ValueError as e:
        raise Failure("dump --json is not JSON (%s): %r" % (e, out[:300]))


def main_frames(doc):
    mains = [t for t in doc["threads"] if t["python_name"] == "MainThread"] or doc["threads"]
    check(mains, "no threads in the dump")
    return mains[0]["frames"]


def describe(frames, limit=6):
    return ", ".join("%s (%s:%s)" % (f["name"], f["file"], f["line"]) for f in frames[:limit])


def check_idle_stack(doc, idle=IDLE):
    """The main thread parks in idle_wait() at its marked line."""
    m = marks(IDLE)
    frames = main_frames(doc)
    check(frames, "the main thread has no frames")
    top = frames[0]
    check(top["name"] == "idle_wait" and top["file"] == idle and top["line"] == m["idle-sleep"],
          "top frame %s (%s:%s), want idle_wait (%s:%d); stack: %s" %
          (top["name"], top["file"], top["line"], idle, m["idle-sleep"], describe(frames)))
    check(any(f["name"] == "main" and f["line"] == m["idle-call"] for f in frames),
          "no main() frame at line %d: %s" % (m["idle-call"], describe(frames)))


# ---- 1. deleted / replaced binaries ---------------------------------------

def debian_python(version_prefix):
    """(version, path) of a provisioned Debian python (one static file), or None."""
    txt = pythons.pythons_txt()
    if not os.path.exists(txt):
        return None
    for line in open(txt):
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith(version_prefix) and parts[0][-1].isdigit() \
                and os.access(parts[1], os.X_OK):
            return parts
    return None


def copy_static(tmp):
    """Copy Debian's python3.13 (the interpreter is all in the executable) to
    tmp; returns (argv, env, copied paths, what to replace them with)."""
    found = debian_python("3.13.")
    if not found:
        return None
    _, src = found
    prefix = os.path.dirname(os.path.dirname(src))        # .../root/usr
    exe = os.path.join(tmp, "python3.13")
    shutil.copy2(src, exe)
    env = dict(os.environ, PYTHONHOME=prefix)
    other = debian_python("3.14.") or debian_python("3.15.")
    replacement = {exe: other[1] if other else "/bin/true"}
    return [exe, IDLE], env, [exe], replacement


def copy_shared(tmp):
    """Copy pyenv 3.11's executable and libpython to tmp/bin and tmp/lib."""
    prefix = pyenv_prefix("3.11")
    if not prefix:
        return None
    os.makedirs(os.path.join(tmp, "bin"))
    os.makedirs(os.path.join(tmp, "lib"))
    exe = os.path.join(tmp, "bin", "python3.11")
    lib = os.path.join(tmp, "lib", "libpython3.11.so.1.0")
    shutil.copy2(os.path.join(prefix, "bin", "python3.11"), exe)
    shutil.copy2(os.path.join(prefix, "lib", "libpython3.11.so.1.0"), lib)
    env = dict(os.environ, PYTHONHOME=prefix, LD_LIBRARY_PATH=os.path.join(tmp, "lib"))
    # replace them with another CPython's files (a valid ELF with other symbols)
    other = pyenv_prefix("3.12")
    replacement = {}
    if other:
        replacement[exe] = os.path.join(other, "bin", "python3.12")
        replacement[lib] = os.path.join(other, "lib", "libpython3.12.so.1.0")
    else:
        replacement = {exe: "/bin/true", lib: "/bin/true"}
    return [exe, IDLE], env, [exe, lib], replacement


def mapped_from(pid, path):
    """The /proc/PID/maps lines for path."""
    with open("/proc/%d/maps" % pid) as fh:
        return [ln.rstrip("\n") for ln in fh if path in ln]


def run_moved(setup, how):
    tmp = tempfile.mkdtemp(prefix="pyheat-moved-")
    try:
        got = setup(tmp)
        if got is None:
            raise Skip("interpreter not installed")
        argv, env, files, replacement = got
        with Target(argv, env=env) as t:
            # the copy is really what runs
            for f in files:
                check(mapped_from(t.pid, f), "%s is not mapped by the target" % f)
            for f in files:
                if how == "delete":
                    os.unlink(f)
                else:
                    new = f + ".new"
                    shutil.copy2(replacement[f], new)
                    os.rename(new, f)       # a new file under the old name
            for f in files:
                lines = mapped_from(t.pid, f)
                check(lines and all(ln.endswith("(deleted)") for ln in lines),
                      "the kernel does not show %s as deleted: %s" % (f, lines[:2]))
            doc = dump_json(t.pid)
            check_idle_stack(doc)
            check(doc["python_file"] in files, "python_file %r, want one of %s" % (doc["python_file"], files))
            text, rc, err = dump(t.pid)
            check(rc == 0 and "idle_wait (%s:%d)" % (IDLE, marks(IDLE)["idle-sleep"]) in text,
                  "text dump (rc %d) lacks idle_wait: %s %s" % (rc, text[-400:], err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Skip(Exception):
    pass


# ---- 2. embedded interpreter -----------------------------------------------

def build_embedhost(minor, tmp):
    prefix = pyenv_prefix(minor)
    if not prefix:
        raise Skip("no pyenv %s" % minor)
    config = os.path.join(prefix, "bin", "python%s-config" % minor)
    if not os.access(config, os.X_OK):
        raise Skip("no %s" % config)
    cflags = subprocess.run([config, "--cflags"], capture_output=True, text=True, check=True).stdout.split()
    if minor.startswith("2."):
        ldflags = subprocess.run([config, "--ldflags"], capture_output=True, text=True,
                                 check=True).stdout.split()
        ldflags = ["-L" + os.path.join(prefix, "lib"), "-lpython" + minor] + ldflags
    else:
        ldflags = subprocess.run([config, "--ldflags", "--embed"], capture_output=True, text=True,
                                 check=True).stdout.split()
    exe = os.path.join(tmp, "embedhost")
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-o", exe, EMBED_SRC] + [f for f in cflags if not f.startswith("-W")] + ldflags + \
        ["-Wl,-rpath," + os.path.join(prefix, "lib")]
    r = subprocess.run(cmd, capture_output=True, text=True)
    check(r.returncode == 0, "building embedhost failed: %s\n%s" % (" ".join(cmd), r.stderr[-2000:]))
    return exe, prefix


def run_embedded(minor):
    tmp = tempfile.mkdtemp(prefix="pyheat-embed-")
    try:
        exe, prefix = build_embedhost(minor, tmp)
        env = dict(os.environ, PYTHONHOME=prefix)
        env.pop("PYTHONPATH", None)
        with Target([exe, IDLE], env=env) as t:
            # the host really is a non-python program that loads libpython
            with open("/proc/%d/maps" % t.pid) as fh:
                maps = fh.read()
            check("libpython%s" % minor in maps, "embedhost does not map libpython%s" % minor)
            check(os.readlink("/proc/%d/exe" % t.pid) == exe, "the target is not embedhost")
            doc = dump_json(t.pid)
            check(doc["executable"] == exe, "executable %r, want %r" % (doc["executable"], exe))
            check(os.path.basename(doc["python_file"]).startswith("libpython%s" % minor),
                  "python_file %r is not libpython%s" % (doc["python_file"], minor))
            check(doc["python"].startswith(minor + "."), "python %r, want %s.x" % (doc["python"], minor))
            check_idle_stack(doc)
            text, rc, err = dump(t.pid)
            check(rc == 0 and "idle_wait (%s:%d)" % (IDLE, marks(IDLE)["idle-sleep"]) in text,
                  "text dump (rc %d) lacks idle_wait: %s %s" % (rc, text[-400:], err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- 3. lone surrogates, undecodable bytes, CJK Ext-B names ---------------

# \U00020000 and \U0002A6D6 are CJK Unified Ideographs Extension B (valid in
# identifiers); U+DCFF is the lone surrogate that surrogateescape gives 0xff.
CJK = "\U00020000\u95a2\u6570\U0002a6d6"

TARGET_PY3 = r'''# -*- coding: utf-8 -*-
import json, os, sys, time
CJK = @CJK@

def park():
    while True:
        time.sleep(3600)  # MARK: park

ns = {"park": park}
exec(compile("def sur():\n    park()\n", "bad\udcff.py", "exec"), ns)
exec(compile("def %s():\n    sur()\n" % CJK, "cjk\U00020000.py", "exec"), ns)

def main(ready):
    with open(ready + ".tmp", "w") as fh:
        json.dump({"pid": os.getpid()}, fh)
    os.rename(ready + ".tmp", ready)
    ns[CJK]()  # MARK: call

main(sys.argv[-1])
'''

TARGET_PY2 = r'''# -*- coding: utf-8 -*-
import json, os, sys, time

def park():
    while True:
        time.sleep(3600)  # MARK: park

ns = {"park": park}
exec(compile("def sur():\n    park()\n", "bad\xff.py", "exec"), ns)
exec(compile("def cjk():\n    sur()\n", "cjk\xf0\xa0\x80\x80.py", "exec"), ns)

def main(ready):
    with open(ready + ".tmp", "w") as fh:
        json.dump({"pid": os.getpid()}, fh)
    os.rename(ready + ".tmp", ready)
    ns["cjk"]()  # MARK: call

main(sys.argv[-1])
'''


def run_names(py):
    tmp = tempfile.mkdtemp(prefix="pyheat-names-")
    try:
        script = os.path.join(tmp, "names_target.py")
        with open(script, "w", encoding="utf-8") as fh:
            if py.major >= 3:
                fh.write(TARGET_PY3.replace("@CJK@", repr(CJK)))
            else:
                fh.write(TARGET_PY2)
        m = marks(script)
        if py.major >= 3:
            # "bad\udcff.py" is shown with the surrogate as the 6-character escape
            want = [("park", script, m["park"]), ("sur", "bad\\udcff.py", 2),
                    (CJK, "cjk\U00020000.py", 2), ("main", script, m["call"])]
        else:
            # 2.7 file names are bytes: 0xff is not UTF-8, F0 A0 80 80 is U+20000
            want = [("park", script, m["park"]), ("sur", "bad\\xff.py", 2),
                    ("cjk", "cjk\U00020000.py", 2), ("main", script, m["call"])]
        with Target([py.path, script]) as t:
            doc = dump_json(t.pid)
            frames = main_frames(doc)
            got = [(f["name"], f["file"], f["line"]) for f in frames[:4]]
            check(got == want, "frames %s, want %s" % (got, want))
            text, rc, err = dump(t.pid)
            check(rc == 0, "text dump exited %d: %s" % (rc, err))
            for name, path, line in want:
                needle = "%s (%s:%d)" % (name, path, line)
                check(needle in text, "text output lacks %r:\n%s" % (needle, text[-600:]))
            for bad in ("\udcff", "\ufffd"):
                check(bad not in text, "text output has %r" % bad)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    rep = Report("test_core_extra")
    if not os.access(PYHEAT, os.X_OK):
        print("no %s: run make first" % PYHEAT)
        return 1

    def run(name, fn, *args):
        try:
            fn(*args)
        except Skip as e:
            rep.skip(name, str(e))
        except Failure as e:
            rep.fail(name, str(e))
        except subprocess.TimeoutExpired as e:
            rep.fail(name, "timed out: %s" % e)
        else:
            rep.ok(name)

    run("deleted static python (Debian 3.13, one file)", run_moved, copy_static, "delete")
    run("replaced static python (Debian 3.13 -> another CPython)", run_moved, copy_static, "replace")
    run("deleted shared python (pyenv 3.11 python + libpython)", run_moved, copy_shared, "delete")
    run("replaced shared python (pyenv 3.11 -> 3.12 files)", run_moved, copy_shared, "replace")

    run("embedded interpreter (embedhost + pyenv 3.11 libpython)", run_embedded, "3.11")
    run("embedded interpreter (embedhost + pyenv 2.7 libpython)", run_embedded, "2.7")

    found, skipped = pythons.discover()
    found = pythons.select(found, os.environ.get("PYHEAT_PYTHONS_ONLY"))
    for name, why in skipped:
        rep.skip("names on %s" % name, why)
    for py in found:
        run("surrogate / undecodable / CJK names on %s" % py.name, run_names, py)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
