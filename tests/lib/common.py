"""Helpers shared by pyheat's integration tests (run with the system python3).

Every test talks to real processes: it starts a real CPython target, runs the
real ./pyheat binary against it and asserts on what comes out.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS = os.path.join(ROOT, "tests", "targets")
PYHEAT = os.environ.get("PYHEAT") or os.path.join(ROOT, "pyheat")


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def marks(path):
    """{key: line} for every '# MARK: key' comment in a source file."""
    out = {}
    with open(path, encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if "# MARK: " in line:
                out[line.split("# MARK: ", 1)[1].strip()] = no
    return out


def run_pyheat(args, timeout=60, **kw):
    return subprocess.run([PYHEAT] + args, capture_output=True, text=True, timeout=timeout, **kw)


class Target:
    """A target process that writes a JSON 'ready' document to the path given
    as its last argument once it has reached its known state."""

    def __init__(self, argv, ready_timeout=30, env=None, preexec_fn=None):
        self.dir = tempfile.mkdtemp(prefix="pyheat-test-")
        self.ready_path = os.path.join(self.dir, "ready.json")
        self.proc = subprocess.Popen(list(argv) + [self.ready_path], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                     preexec_fn=preexec_fn)
        deadline = time.time() + ready_timeout
        while not os.path.exists(self.ready_path):
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode("utf-8", "replace")
                raise Failure("target exited early (%s): %s" % (self.proc.returncode, err[-2000:]))
            if time.time() > deadline:
                self.kill()
                raise Failure("target not ready after %ds" % ready_timeout)
            time.sleep(0.02)
        with open(self.ready_path) as fh:
            self.ready = json.load(fh)
        self.pid = self.ready.get("pid", self.proc.pid)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        # read and close the pipes so nothing lingers
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


class Report:
    """Counts results; prints one line per check so CI logs show what ran."""

    def __init__(self, suite):
        self.suite = suite
        self.passed = 0
        self.failed = []
        self.skipped = []

    def ok(self, name):
        self.passed += 1
        print("  ok      %s" % name, flush=True)

    def fail(self, name, why):
        self.failed.append((name, why))
        print("  FAIL    %s: %s" % (name, why), flush=True)

    def skip(self, name, why):
        self.skipped.append((name, why))
        print("  skipped %s (%s)" % (name, why), flush=True)

    def run(self, name, fn, *args):
        try:
            fn(*args)
        except Failure as e:
            self.fail(name, str(e))
        except subprocess.TimeoutExpired as e:
            self.fail(name, "timed out: %s" % e)
        else:
            self.ok(name)

    def finish(self):
        print("%s: %d passed, %d failed, %d skipped" % (self.suite, self.passed, len(self.failed),
                                                        len(self.skipped)), flush=True)
        for name, why in self.skipped:
            print("%s: skipped %s (%s)" % (self.suite, name, why))
        return 1 if self.failed else 0
