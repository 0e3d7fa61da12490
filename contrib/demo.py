#!/usr/bin/env python3
"""contrib/demo.py — a small, realistic Python program to point pyheat at.

A toy "log analytics" service: a feeder thread writes bursts of log lines
into a socket pair, a reader thread waits on the other end (I/O wait) and
queues them, two worker threads parse and score them through a nested
call chain (CPU work), a reporter thread wakes up periodically (timed sleep),
and the main thread waits for all of them.

    python3 contrib/demo.py [--seconds N] [READY_FILE]

Runs for N seconds (default 300), then exits on its own. Once every thread is
running it writes {"pid": ..., "threads": [...]} to READY_FILE when given, so
a script knows when to start looking. Runs with any CPython 3.6+.
"""
import ctypes
import hashlib
import json
import os
import queue
import re
import socket
import sys
import threading
import time

STOP = threading.Event()
LINES = queue.Queue(maxsize=1000)
STARTED = threading.Barrier(5)  # reader, 2 workers, reporter, main

LOG_FORMAT = re.compile(r"(?P<ts>\d+) (?P<level>[A-Z]+) (?P<service>\w+) (?P<msg>.*)")
STATS = {"lines": 0, "errors": 0, "score": 0}
STATS_LOCK = threading.Lock()


def allow_any_tracer():
    """With the Yama LSM in mode 1, only a process's ancestors may read its
    memory. Let a sibling pyheat read this demo, so no root is needed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    PR_SET_PTRACER, PR_SET_PTRACER_ANY = 0x59616D61, ctypes.c_ulong(-1)
    libc.prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0)


# --- the producer: a socket pair stands in for a network log feed ----------

def feed(sock):
    """Writes bursts of log lines, with pauses, to the other end of the pair."""
    services = ["auth", "billing", "search", "upload"]
    n = 0
    while not STOP.is_set():
        burst = []
        for _ in range(200):
            level = "ERROR" if n % 17 == 0 else "INFO"
            burst.append("%d %s %s request %d took %d ms\n"
                         % (int(time.time()), level, services[n % 4], n, n % 250))
            n += 1
        try:
            sock.sendall("".join(burst).encode())
        except OSError:
            return
        STOP.wait(0.05)


def read_lines(sock):
    """The reader thread: blocks in recv() until the feed sends something."""
    STARTED.wait()
    pending = b""
    while not STOP.is_set():
        chunk = sock.recv(65536)          # I/O wait
        if not chunk:
            break
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            LINES.put(raw.decode())


# --- the workers: a nested call chain doing CPU work ------------------------

def checksum(text, rounds):
    digest = text.encode()
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()
    return digest[0]


def tokenize(msg):
    return [tok for tok in msg.split() if tok.isalnum()]


def score_tokens(tokens):
    total = 0
    for tok in tokens:
        total += sum(ord(c) * (i + 1) for i, c in enumerate(tok))
        total += checksum(tok, 100)
    return total


def parse_record(line):
    match = LOG_FORMAT.match(line)
    if not match:
        return None
    record = match.groupdict()
    record["score"] = score_tokens(tokenize(record["msg"]))
    return record


class Pipeline:
    def __init__(self, name):
        self.name = name
        self.seen = 0

    def process_batch(self, batch):
        records = [r for r in map(parse_record, batch) if r]
        self.seen += len(records)
        return self.aggregate(records)

    def aggregate(self, records):
        errors = sum(1 for r in records if r["level"] == "ERROR")
        score = sum(r["score"] for r in records)
        with STATS_LOCK:
            STATS["lines"] += len(records)
            STATS["errors"] += errors
            STATS["score"] += score
        return score


def worker(name):
    STARTED.wait()
    pipeline = Pipeline(name)
    while not STOP.is_set():
        batch = []
        try:
            batch.append(LINES.get(timeout=0.5))
            while len(batch) < 50:
                batch.append(LINES.get_nowait())
        except queue.Empty:
            pass
        if batch:
            pipeline.process_batch(batch)


# --- the reporter: mostly asleep ---------------------------------------------

def report(interval):
    STARTED.wait()
    while not STOP.wait(interval):         # timed sleep
        with STATS_LOCK:
            snapshot = dict(STATS)
        sys.stderr.write("demo: %(lines)d lines, %(errors)d errors\n" % snapshot)


def main(argv):
    seconds = 300.0
    if len(argv) >= 2 and argv[0] == "--seconds":
        seconds = float(argv[1])
        argv = argv[2:]
    ready_file = argv[0] if argv else None
    allow_any_tracer()

    ours, theirs = socket.socketpair()
    threads = [
        threading.Thread(target=read_lines, args=(ours,), name="reader"),
        threading.Thread(target=worker, args=("w1",), name="worker-1"),
        threading.Thread(target=worker, args=("w2",), name="worker-2"),
        threading.Thread(target=report, args=(5.0,), name="reporter"),
    ]
    feeder = threading.Thread(target=feed, args=(theirs,), name="feeder", daemon=True)
    for t in threads:
        t.daemon = True
        t.start()
    feeder.start()
    STARTED.wait()
    if ready_file:
        tmp = ready_file + ".tmp"
        with open(tmp, "w") as fh:
            json.dump({"pid": os.getpid(), "threads": [t.name for t in threads]}, fh)
        os.rename(tmp, ready_file)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not STOP.is_set():
        STOP.wait(0.5)
    STOP.set()
    theirs.close()
    ours.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
