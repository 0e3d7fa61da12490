# -*- coding: utf-8 -*-
"""Python-3-only parts of known_stack.py: asyncio, CJK identifiers (one from
CJK Extension B, outside the BMP), this file's emoji name, sub-interpreters."""
import asyncio
import sys
import threading

PARK = None


async def coro_inner():
    PARK("coroutine")  # MARK: coro-inner
    await asyncio.sleep(0)


async def coro_outer():
    await coro_inner()  # MARK: coro-outer


def run_coro():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(coro_outer())  # MARK: coro-run


def 関数_𠀀():
    PARK("cjk")  # MARK: cjk-call


SUB_CODE = """import time
def sub_fn():
    while True:
        time.sleep(3600)
sub_fn()
"""


def run_sub(si, created):
    # Created in this thread: 3.12's run_string runs the code in the thread
    # state the interpreter was created with, which records its creator's ids.
    iid = si.create()
    created.append(int(iid) if not isinstance(iid, tuple) else int(iid[0]))
    run_string = getattr(si, "run_string", None) or getattr(si, "exec")
    run_string(iid, SUB_CODE)  # MARK: sub-run


def start_all(start, park):
    global PARK
    PARK = park
    start("coroutine", run_coro, "coroutine-thread")
    start("cjk", 関数_𠀀, "cjk-thread")
    extra = {}
    if sys.version_info >= (3, 12):
        try:
            import _interpreters as si
        except ImportError:
            import _xxsubinterpreters as si
        created = []
        th = threading.Thread(target=run_sub, args=(si, created), name="subinterp-thread")
        th.daemon = True
        th.start()
        while not created:
            threading.Event().wait(0.01)
        extra["subinterp_thread"] = th.ident
        extra["subinterp_id"] = created[0]
    return extra
