# -*- coding: utf-8 -*-
"""A target with a known stack in every thread, for pyheat's tests.

Runs on CPython 2.7 and 3.6+. Each thread parks at a line marked "MARK: key";
the test reads the marks from this file to know the expected lines. When every
thread has parked, writes {"pid", "threads": {ident: role}} to argv[1].
Python-3-only parts (asyncio, CJK names, an emoji file name) live in
known_stack_py3_\U0001F600.py; sub-interpreters are used on 3.12+.
"""
import json
import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
STOP = threading.Event()          # never set: parked threads wait on it forever
RUNNING = True
ROLES = {}
ROLES_LOCK = threading.Lock()
EXPECTED_ROLES = set()


def park(role):
    with ROLES_LOCK:
        ROLES[threading.current_thread().ident] = role
    STOP.wait()  # MARK: park


def outer_fn():
    def nested_fn():
        park("nested")  # MARK: nested-call
    nested_fn()  # MARK: outer-call


class Outer(object):
    class Inner(object):
        def method(self):
            park("method")  # MARK: method-call

    @classmethod
    def cm(cls):
        park("classmethod")  # MARK: cm-call


def gen():
    yield 1
    park("generator")  # MARK: gen-call
    yield 2


def consume():
    for _ in gen():  # MARK: consume-loop
        pass


def make_closure():
    captured = "closure"

    def closure_fn():
        park(captured)  # MARK: closure-call
    return closure_fn


def recurse(n):
    if n == 0:
        park("deep")  # MARK: deep-park
    else:
        recurse(n - 1)  # MARK: deep-call


def spin():
    n = 0
    while RUNNING:  # MARK: busy-a
        n += 1  # MARK: busy-b


def with_locals():
    i = 42
    f = 2.5
    s = "hello"
    b = b"by"
    t = True
    n = None
    l = [1, 2, 3]
    tu = (1, 2)
    d = {"a": 1}
    park("locals")  # MARK: locals-call
    return i, f, s, b, t, n, l, tu, d


def start(role, target, name):
    EXPECTED_ROLES.add(role)
    th = threading.Thread(target=target, name=name)
    th.daemon = True
    th.start()
    return th


def main(ready_path):
    sys.setrecursionlimit(10000)
    threading.stack_size(64 << 20)   # room for a 1,500-deep recursion on old versions
    start("nested", outer_fn, "nested-thread")
    start("method", Outer.Inner().method, "method-thread")
    start("classmethod", Outer.cm, "classmethod-thread")
    start("generator", consume, "generator-thread")
    start("lambda", lambda: park("lambda"), "lambda-thread")  # MARK: lambda-call
    start("closure", make_closure(), "closure-thread")
    start("deep", lambda: recurse(1500), "deep-thread")  # MARK: deep-start
    start("locals", with_locals, "locals-thread")
    busy = threading.Thread(target=spin, name="busy-thread")
    busy.daemon = True
    busy.start()
    extra = {}
    if sys.version_info[0] >= 3:
        import importlib.util
        path = os.path.join(HERE, u"known_stack_py3_\U0001F600.py")
        spec = importlib.util.spec_from_file_location("known_stack_py3", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        extra = mod.start_all(start, park)
    while True:
        with ROLES_LOCK:
            if set(ROLES.values()) >= EXPECTED_ROLES:
                break
        STOP.wait(0.01)
    ROLES[busy.ident] = "busy"
    ROLES[threading.current_thread().ident] = "main"
    names = dict((str(t.ident), t.name) for t in threading.enumerate())
    doc = {"pid": os.getpid(), "threads": dict((str(k), v) for k, v in ROLES.items()),
           "names": names, "extra": extra}
    tmp = ready_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(doc, fh)
    os.rename(tmp, ready_path)
    STOP.wait()  # MARK: main-wait


if __name__ == "__main__":
    main(sys.argv[1])  # MARK: main-call
