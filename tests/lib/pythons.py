"""The interpreter matrix: every CPython this machine has, by name.

pyenv's 2.7 and 3.6-3.13, Debian's system python3, and whatever
../shared/pythons/provision listed in its pythons.txt. A missing one is
reported as skipped by name, never counted as passed.
"""
import glob
import os
import subprocess

PYENV_EXPECTED = ["2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]


class Python:
    def __init__(self, name, path, origin):
        self.name = name          # "pyenv-3.11.7", "debian-3.13.18d", "system-3.11.2"
        self.path = path
        self.origin = origin
        out = subprocess.run([path, "-c", "import sys; print('%d %d %d' % sys.version_info[:3]);"
                              "import sysconfig; print(sysconfig.get_config_var('Py_GIL_DISABLED') or 0)"],
                             capture_output=True, text=True, timeout=60)
        lines = out.stdout.split()
        self.major, self.minor, self.micro = int(lines[0]), int(lines[1]), int(lines[2])
        self.free_threaded = lines[3] == "1"
        self.debug = name.endswith("d")

    @property
    def version(self):
        return (self.major, self.minor)

    def __repr__(self):
        return self.name


def pythons_txt():
    dest = os.environ.get("PYHEAT_PYTHONS", "/var/cache/pyheat-pythons")
    return os.path.join(dest, "pythons.txt")


def discover():
    """Returns (found, skipped): found is a list of Python, skipped a list of
    (name, reason)."""
    found, skipped = [], []
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for minor in PYENV_EXPECTED:
        hits = sorted(glob.glob(os.path.join(root, "versions", minor + ".*", "bin", "python" + minor)))
        if not hits:
            skipped.append(("pyenv-" + minor, "not installed under %s" % root))
            continue
        path = hits[-1]
        found.append(Python("pyenv-" + path.split("/versions/")[1].split("/")[0], path, "pyenv"))
    system = "/usr/bin/python3"
    if os.path.exists(system):
        p = Python("system", system, "debian")
        p.name = "system-%d.%d.%d" % (p.major, p.minor, p.micro)
        found.append(p)
    else:
        skipped.append(("system-python3", "no /usr/bin/python3"))
    txt = pythons_txt()
    if os.path.exists(txt):
        for line in open(txt):
            parts = line.split()
            if len(parts) != 2:
                continue
            version, path = parts
            name = "provisioned-" + version
            if not os.access(path, os.X_OK):
                skipped.append((name, "listed in %s but %s is missing" % (txt, path)))
                continue
            found.append(Python(name, path, "provisioned"))
    else:
        skipped.append(("provisioned 3.13/3.14/3.15/-dbg/3.13t", "no %s (run ../shared/pythons/provision --free-threaded)" % txt))
    return found, skipped


def select(pythons, names):
    """Filter by PYHEAT_PYTHONS_ONLY (comma-separated substrings), for quick runs."""
    if not names:
        return pythons
    keys = [n.strip() for n in names.split(",") if n.strip()]
    return [p for p in pythons if any(k in p.name for k in keys)]
