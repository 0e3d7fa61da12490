"""Read a CPython 3.15 profiling.sampling binary profile (--binary) and print
one JSON line: sample count, first and last sample time (CLOCK_MONOTONIC,
seconds), the file's own info. Run with python3.15."""
import json
import sys

from profiling.sampling.binary_reader import BinaryReader


class Probe:
    def __init__(self):
        self.first = self.last = None
        self.n = 0

    def collect(self, frames, timestamps_us=None, **kw):
        ts = timestamps_us or []
        if ts:
            if self.first is None:
                self.first = ts[0]
            self.last = ts[-1]
        self.n += len(ts) or 1

    def collect_failed_sample(self, *a, **kw):
        pass

    def __getattr__(self, name):        # any other collector hook: ignore
        return lambda *a, **kw: None


with BinaryReader(sys.argv[1]) as r:
    info = r.get_info()
    p = Probe()
    r.replay_samples(p)
print(json.dumps({"samples": p.n, "first_s": p.first / 1e6 if p.first else None,
                  "last_s": p.last / 1e6 if p.last else None,
                  "info": {k: v for k, v in info.items() if isinstance(v, (int, float, str))}}))
