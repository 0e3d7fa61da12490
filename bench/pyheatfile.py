"""A small, independent reader of pyheat's raw profile (docs/FORMAT.md,
format version 1), for the benchmarks: the header's meta fields and the
times (and thread/stack ids) of the samples, decoded straight from the
bytes, so that timing figures do not depend on pyheat's own reader.

    python3 pyheatfile.py FILE      prints the meta, sample count, first and
                                    last sample time and the gaps between
                                    consecutive samples
"""
import struct
import sys

MAGIC = b"\x89PYHEAT\n"


def _varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        if c < 0x80:
            return v, i
        shift += 7


def _svarint(b, i):
    v, i = _varint(b, i)
    return (v >> 1) ^ -(v & 1), i


def _string(b, i):
    n, i = _varint(b, i)
    return b[i:i + n].decode("utf-8", "replace"), i + n


def read_meta(data):
    if data[:8] != MAGIC:
        raise ValueError("not a pyheat raw profile")
    version, mlen = struct.unpack_from("<II", data, 8)
    b, i = data[16:16 + mlen], 0
    meta = {"format_version": version}
    meta["pid"], i = _svarint(b, i)
    meta["rate_hz"], i = _varint(b, i)
    meta["start_unix_ns"], i = _svarint(b, i)
    meta["tick_ns"], i = _varint(b, i)
    for key in ("cmdline", "exe", "python_version", "mode", "host", "pyheat_version"):
        meta[key], i = _string(b, i)
    return meta, 16 + mlen + 4


def samples(path, limit=None):
    """Yield (time_us, thread_id, stack_id, flags) for every sample, in file
    order; time_us is relative to the meta's start_unix_ns."""
    with open(path, "rb") as f:
        data = f.read()
    meta, pos = read_meta(data)
    tick_ns = meta["tick_ns"]
    n_out = 0
    while pos + 16 <= len(data):
        if data[pos:pos + 4] != b"CHNK":
            break
        (plen,) = struct.unpack_from("<I", data, pos + 4)
        start, end = pos + 16, pos + 16 + plen
        if end > len(data):
            break                          # cut short
        pos = end
        # decoding state starts afresh in every chunk
        last_thread, last_tick, last_jitter = None, 0, 0
        th = {}                            # id -> [tick, stack, flags, next]
        i = start
        while i < end:
            kind = data[i]
            length, i = _varint(data, i + 1)
            body_end = i + length
            if kind == 7:                  # SAMPLES
                count, i = _varint(data, i)
                _, i = _varint(data, i)    # latest time (us)
                for _ in range(count):
                    b = data[i]
                    i += 1
                    pred = th[last_thread][3] if last_thread is not None else None
                    if b < 0x80:
                        t = pred
                        st = th[t]
                        tick, stack, flags = st[0] + 1, st[1], st[2]
                        d = b & 0x7F
                        jitter = last_jitter + (d - 128 if d >= 64 else d)
                    else:
                        if b & 0x40:
                            t, i = _varint(data, i)
                        else:
                            t = pred
                        st = th.get(t) or [last_tick, 0, 0, None]
                        stack, flags = st[1], st[2]
                        if b & 0x20:
                            dlt, i = _svarint(data, i)
                            stack += dlt
                        if b & 0x10:
                            flags, i = _varint(data, i)
                        ddd = b & 7
                        if ddd == 7:
                            dlt, i = _svarint(data, i)
                            tick = st[0] + dlt
                        else:
                            tick = st[0] + ddd
                        jitter = last_jitter
                        if b & 0x08:
                            dlt, i = _svarint(data, i)
                            jitter += dlt
                    old = th.get(t)
                    th[t] = [tick, stack, flags, old[3] if old else None]
                    if last_thread is not None:
                        th[last_thread][3] = t
                    last_thread, last_tick, last_jitter = t, tick, jitter
                    yield (tick * tick_ns // 1000 + jitter, t, stack, flags)
                    n_out += 1
                    if limit is not None and n_out >= limit:
                        return
            i = body_end


def record_bytes(path):
    """Bytes of the file by record kind (chunk headers under 'chunk', the
    file header under 'header'): {'samples': ..., 'source': ..., ...}."""
    names = {1: "string", 2: "func", 3: "frame", 4: "stack", 5: "thread", 6: "source",
             7: "samples", 8: "counts", 9: "trailer"}
    with open(path, "rb") as f:
        data = f.read()
    _, pos = read_meta(data)
    out = {"header": pos}
    while pos + 16 <= len(data) and data[pos:pos + 4] == b"CHNK":
        (plen,) = struct.unpack_from("<I", data, pos + 4)
        i, end = pos + 16, pos + 16 + plen
        if end > len(data):
            break
        out["chunk"] = out.get("chunk", 0) + 16
        while i < end:
            kind = data[i]
            length, j = _varint(data, i + 1)
            k = names.get(kind, "other")
            out[k] = out.get(k, 0) + (j - i) + length
            i = j + length
        pos = end
    return out


def first_sample_unix_ns(path):
    """Wall-clock time (ns since the epoch) of the file's first sample, or None."""
    with open(path, "rb") as f:
        meta, _ = read_meta(f.read(1 << 20))
    for t_us, *_ in samples(path, limit=1):
        return meta["start_unix_ns"] + t_us * 1000
    return None


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path, "rb") as f:
        meta, _ = read_meta(f.read())
    print(meta)
    times = [s[0] for s in samples(path)]
    print("samples", len(times))
    print("bytes by record kind", record_bytes(path))
    if times:
        print("first %.3f ms, last %.3f s" % (times[0] / 1e3, times[-1] / 1e6))
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        if gaps:
            q = lambda p: gaps[min(len(gaps) - 1, int(p * len(gaps)))]
            print("gaps us: min %d p10 %d p50 %d p90 %d p99 %d max %d" % (
                gaps[0], q(.1), q(.5), q(.9), q(.99), gaps[-1]))
