"""A multi-threaded target for pyheat's live view (CPython 3.x).

    live_threads.py READY

Two named threads work in their own functions (spin_red, spin_blue: about
half of the time busy, half asleep, so the machine is not saturated), a
third sleeps in nap_green (seen in wall mode only), the main thread waits
in main_wait.
Each thread's OS name is set (Linux, 15 bytes) so the view can show it.
Writes {"pid": ..., "tids": {name: tid}} to READY once every thread runs."""
import ctypes
import json
import os
import sys
import threading
import time

READY = sys.argv[-1]
started = {}
lock = threading.Lock()


def set_os_name(name):
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass


def hello(name):
    set_os_name(name)
    with lock:
        started[name] = threading.get_native_id()


def spin_red():
    hello("red")
    while True:
        end = time.time() + 0.003
        while time.time() < end:
            pass  # MARK: red
        time.sleep(0.003)


def spin_blue():
    hello("blue")
    while True:
        end = time.time() + 0.003
        while time.time() < end:
            pass  # MARK: blue
        time.sleep(0.003)


def nap_green():
    hello("green")
    while True:
        time.sleep(0.05)  # MARK: green


def main_wait():
    while True:
        time.sleep(0.1)  # MARK: main


if __name__ == "__main__":
    for fn in (spin_red, spin_blue, nap_green):
        threading.Thread(target=fn, daemon=True).start()
    while len(started) < 3:
        time.sleep(0.01)
    tmp = READY + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid(), "tids": started}, fh)
    os.rename(tmp, READY)
    main_wait()
