# -*- coding: utf-8 -*-
"""A minimal target for pyheat's tests (CPython 2.7 and 3.x).

Writes {"pid": os.getpid()} to argv[-1] (via a .tmp file and a rename, so the
reader never sees a partial document), then sleeps forever in idle_wait().
"""
import json
import os
import sys
import time


def idle_wait():
    while True:
        time.sleep(3600)  # MARK: idle-sleep


def main(ready_path):
    tmp = ready_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump({"pid": os.getpid()}, fh)
    os.rename(tmp, ready_path)
    idle_wait()  # MARK: idle-call


if __name__ == "__main__":
    main(sys.argv[-1])  # MARK: idle-main
