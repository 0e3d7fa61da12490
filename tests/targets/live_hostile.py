"""A target whose function and file names try to take over a terminal
(CPython 3.8+): a function defined via exec, from "source" whose file name
holds an OSC title sequence, renamed (code.replace) to a name holding an SGR
colour sequence, an OSC window-title sequence, a C1 CSI, a bidi override and
a combining mark. The main thread stays in it: mostly asleep (time.sleep is
C code, so the innermost Python frame is still the hostile one), busy 1 ms
in 10.

    live_hostile.py READY

Writes {"pid": ...} to READY once it spins."""
import json
import os
import sys
import time

READY = sys.argv[-1]
NAME = "evil\x1b[31mRED\x1b]0;pwned\x07\u009b2J\u202egnp.exe\u0301_end"
FILE = "<hostile\x1b]0;pwned-file\x07>"

src = (
    "def spin(ready, time):\n"
    "    ready()\n"
    "    while True:\n"
    "        end = time.time() + 0.001\n"
    "        while time.time() < end:\n"
    "            pass\n"
    "        time.sleep(0.009)\n"
)
ns = {}
exec(compile(src, FILE, "exec"), ns)
spin = ns["spin"]
code = spin.__code__
if hasattr(code, "co_qualname"):
    spin.__code__ = code.replace(co_name=NAME, co_qualname=NAME)
else:
    spin.__code__ = code.replace(co_name=NAME)


def ready():
    tmp = READY + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid()}, fh)
    os.rename(tmp, READY)


spin(ready, time)
