#!/usr/bin/python3
"""pyheat's PNG heatmap (-f png), read back as a person and a tool would.

Each PNG is read twice, independently of the renderer: its chunks by this
script's own parser (signature, CRCs, IHDR, tEXt keys and texts) and its
pixels through libpng (tests/tools/png-probe). The pyheat-heatmap tEXt
chunk says what the picture shows (rows, shares, time range, where every
row, text and the colour bar are); the checks hold it to the recording and
to the pixels:

  - a real recording of tests/targets/heat_target.py (alpha/beta/gamma at
    50/30/20 % of the time, 60/20/20 then 40/40/20 in the two halves) at
    1000 Hz: the first rows are alpha, beta, gamma with those shares
    (+-2 pp), equal to `pyheat info`'s; alpha's row is the brightest; the
    halves show in the cells; every text (title block, labels, ticks,
    captions) matches, pixel for pixel, a re-render of the same string at
    the same place, and the labels are `name (dir/file.py:line)`; the
    colour bar runs from viridis' first to its last colour;
  - --width/--height give exactly that size; --top, --by total;
    --granularity line gives the marked lines; --threads one panel per
    thread (worker-a: alpha then beta, worker-b: gamma);
  - profiles with known content (tests/tools/make-profile): exact cell
    values and time range, rows grouped by file, --from/--to, a panel per
    process, hostile names (controls, bidi overrides, invalid UTF-8, CJK,
    very long) cleaned in the picture and escaped in valid tEXt chunks, an
    empty profile, a file cut short; too small a size: exit 64, one line.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from common import ROOT, TARGETS, Failure, Report, check, marks, run_pyheat  # noqa: E402

UNITS = os.environ.get("PYHEAT_UNITS") or os.path.join(ROOT, "build", "tests")
PROBE = os.path.join(UNITS, "tools", "png-probe")
MAKE_PROFILE = os.path.join(UNITS, "tools", "make-profile")
PYTHON = "/usr/bin/python3"
TARGET = os.path.join(TARGETS, "heat_target.py")
LIB = os.path.join(TARGETS, "heat_lib.py")
KEY = "pyheat-heatmap"
VIRIDIS_FIRST, VIRIDIS_MID, VIRIDIS_LAST = (0x44, 0x01, 0x54), (0x21, 0x91, 0x8c), (0xfd, 0xe7, 0x25)
NODATA = (0xe4, 0xe4, 0xe4)


# ---- reading a PNG ------------------------------------------------------------

def png_chunks(path):
    """[(type, data)] of a PNG, checking the signature and every CRC."""
    with open(path, "rb") as fh:
        data = fh.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "%s: not a PNG" % path)
    out, pos = [], 8
    while pos < len(data):
        check(pos + 8 <= len(data), "%s: truncated chunk header" % path)
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
        check(zlib.crc32(kind + body) & 0xffffffff == crc, "%s: bad CRC in %r" % (path, kind))
        out.append((kind, body))
        pos += 12 + n
        if kind == b"IEND":
            break
    check(out and out[0][0] == b"IHDR" and out[-1][0] == b"IEND", "%s: no IHDR/IEND" % path)
    return out


def valid_keyword(key):
    """PNG's rule for tEXt keywords: 1-79 printable Latin-1, no leading,
    trailing or consecutive spaces."""
    return (1 <= len(key) <= 79 and all(0x20 <= b <= 0x7e or b >= 0xa1 for b in key)
            and not key.startswith(b" ") and not key.endswith(b" ") and b"  " not in key)


class Png:
    def __init__(self, path):
        self.path = path
        self.text = {}
        for kind, body in png_chunks(path):
            if kind == b"IHDR":
                self.width, self.height, depth, ctype = struct.unpack(">IIBB", body[:10])
                check(depth == 8 and ctype in (2, 6), "%s: depth %d colour type %d" % (path, depth, ctype))
            elif kind == b"tEXt":
                key, _, value = body.partition(b"\0")
                check(valid_keyword(key), "%s: invalid tEXt keyword %r" % (path, key))
                check(b"\0" not in value, "%s: NUL in tEXt %r" % (path, key))
                check(all(b >= 0x20 or b == 0x0a for b in value),
                      "%s: control bytes in tEXt %r: %r" % (path, key, value[:200]))
                self.text[key.decode("latin-1")] = value.decode("latin-1")
            elif kind in (b"iTXt", b"zTXt"):
                raise Failure("%s: unexpected %r chunk" % (path, kind))
        check(KEY in self.text, "%s: no %s text chunk (have %s)" % (path, KEY, sorted(self.text)))
        raw = self.text[KEY]
        check(all(0x20 <= ord(c) < 0x7f for c in raw), "%s: the JSON is not printable ASCII" % path)
        self.meta = json.loads(raw)
        self._px = None

    @property
    def px(self):
        if self._px is None:
            r = subprocess.run([PROBE, "ppm", self.path], capture_output=True, timeout=60)
            check(r.returncode == 0, "png-probe ppm: %s" % r.stderr.decode())
            head, rest = r.stdout.split(b"\n", 3)[:3], r.stdout.split(b"\n", 3)[3]
            w, h = map(int, head[1].split())
            check((w, h) == (self.width, self.height), "libpng reads %dx%d, IHDR says %dx%d" %
                  (w, h, self.width, self.height))
            self._px = rest
        return self._px

    def pixel(self, x, y):
        i = (y * self.width + x) * 3
        return tuple(self.px[i:i + 3])

    def rows(self, panel=0):
        return self.meta["panels"][panel]["rows"]

    def texts(self, role=None):
        return [t for t in self.meta["texts"] if role is None or t["role"] == role]

    def box_luminance(self, box):
        total = 0.0
        for y in range(box["y"], box["y"] + box["h"]):
            for x in range(box["x"], box["x"] + box["w"]):
                total += lum(self.pixel(x, y))
        return total / max(1, box["w"] * box["h"])


def lum(rgb):
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def near(a, b, tol=3):
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def check_pixels_of_texts(png):
    """Every text the JSON lists is inside the image and matches, pixel for
    pixel, the same string drawn with the same font at the same place."""
    texts = png.texts()
    check(texts, "no texts listed")
    lines = []
    for t in texts:
        check(0 <= t["x"] and t["x"] + t["w"] <= png.width and 0 <= t["y"] and t["y"] + t["h"] <= png.height,
              "text %r leaves the %dx%d image: %r" % (t["text"], png.width, png.height, t))
        hexed = t["text"].encode("utf-8").hex() or "-"
        lines.append("%s %d %d %s %s %s" % (t["font"], t["x"], t["y"], t["fg"][1:], t["bg"][1:], hexed))
    r = subprocess.run([PROBE, "text", png.path], input="\n".join(lines) + "\n", capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0, "png-probe text: %s" % r.stderr)
    results = r.stdout.split("\n")
    for t, res in zip(texts, results):
        check(res == "ok", "%s text %r at (%d,%d): %s" % (t["role"], t["text"], t["x"], t["y"], res))
    check(len(results) >= len(texts), "png-probe answered %d of %d texts" % (len(results), len(texts)))
    # no two texts overlap
    boxes = sorted((t["y"], t["x"], t["y"] + t["h"], t["x"] + t["w"], t["text"]) for t in texts if t["w"])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b[0] >= a[2]:
                break
            check(b[1] >= a[3] or b[3] <= a[1], "texts %r and %r overlap" % (a[4], b[4]))


def check_colour_bar(png):
    cb = png.meta["colour_bar"]
    y = cb["y"] + cb["h"] // 2
    first, last = png.pixel(cb["x"], y), png.pixel(cb["x"] + cb["w"] - 1, y)
    mid = png.pixel(cb["x"] + (cb["w"] - 1) // 2, y)
    check(first == VIRIDIS_FIRST and last == VIRIDIS_LAST, "colour bar ends %r..%r, want viridis %r..%r" %
          (first, last, VIRIDIS_FIRST, VIRIDIS_LAST))
    check(near(mid, VIRIDIS_MID, 6), "colour bar middle %r, want about %r" % (mid, VIRIDIS_MID))
    prev = -1
    for x in range(cb["x"], cb["x"] + cb["w"]):
        v = lum(png.pixel(x, y))
        check(v >= prev - 1.0, "colour bar not monotone at x=%d" % x)
        prev = v
    nd = png.meta["nodata"]
    check(png.pixel(nd["x"] + nd["w"] // 2, nd["y"] + nd["h"] // 2) == NODATA, "no-data swatch colour")
    ticks = [t["text"] for t in png.texts("tick")]
    check("0%" in ticks and any(t.endswith("%") and t != "0%" for t in ticks),
          "colour bar tick labels: %r" % ticks)
    check(png.texts("colour-caption"), "no colour bar caption")


def tail2(path):
    return "/".join(path.split("/")[-2:])


def expected_label(row):
    if row["file"] is None:
        return row["name"]
    line = ":%d" % row["line"] if row["line"] >= 0 else ""
    return "%s (%s%s)" % (row["name"], tail2(row["file"]), line)


def def_line(path, name):
    with open(path) as fh:
        for no, line in enumerate(fh, 1):
            if line.startswith("def %s(" % name):
                return no
    raise Failure("no def %s in %s" % (name, path))


# ---- a real recording -----------------------------------------------------------

class Env:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pyheat-png-")
        self.raw = None          # the recording of heat_target.py
        self.threads = None
        self.attempts = []

    def path(self, name):
        return os.path.join(self.dir, name)


def record(env, stem, args, target_args, timeout=90):
    r = run_pyheat(["record", "--rate", "1000", "-f", "png", "-o", stem] + args + ["--", PYTHON, TARGET] +
                   target_args, timeout=timeout)
    check(r.returncode == 0, "record exited %d: %s" % (r.returncode, r.stderr[-2000:]))
    check(stem + ".png" in r.stdout.splitlines(), "record did not print %s.png: %r" % (stem, r.stdout[-500:]))
    return r


def top3_ok(png):
    rows = png.rows()
    names = [r["name"] for r in rows[:3]]
    shares = [r["share"] for r in rows[:3]]
    ok = names == ["alpha", "beta", "gamma"] and all(abs(s - w) <= 0.02 for s, w in zip(shares, (.5, .3, .2)))
    return ok, "rows %s" % ", ".join("%s %.1f%%" % (r["name"], 100 * r["share"]) for r in rows[:4])


def test_recording(env):
    """Up to three recordings: the shares are a measurement (+-2 pp at 5000
    samples); every other check runs on the one kept."""
    for attempt in range(3):
        stem = env.path("run%d" % attempt)
        r = record(env, stem, ["--top", "3"], ["5"])
        truth = [line for line in r.stdout.splitlines() if line.startswith('{"alpha"')]
        png = Png(stem + ".png")
        ok, what = top3_ok(png)
        env.attempts.append("attempt %d: %s (target measured %s, %s samples)" %
                            (attempt + 1, what, truth[0] if truth else "?", png.meta["props"]["samples"]))
        env.raw, env.png = stem + ".pyheat", png
        if ok:
            break
    for a in env.attempts:
        print("          %s" % a)
    ok, what = top3_ok(env.png)
    check(ok, "want alpha, beta, gamma at 50/30/20 %% (+-2 pp): %s" % "; ".join(env.attempts))
    png = env.png
    rows = png.rows()
    check(rows[0]["file"] == TARGET and rows[1]["file"] == TARGET and rows[2]["file"] == LIB,
          "files: %r" % [r["file"] for r in rows[:3]])
    props = png.meta["props"]
    check(props["by"] == "own" and props["granularity"] == "function" and props["kind"] == "cpu" and
          props["mode"] == "cpu" and props["rate_hz"] == "1000", "props: %r" % props)


def test_matches_info(env):
    r = run_pyheat(["info", "--json", env.raw])
    check(r.returncode == 0, "info: %s" % r.stderr)
    info = json.loads(r.stdout)
    top = info.get("top") or []
    check(top, "pyheat info --json lists no functions: %r" % sorted(info))
    by_name = {(f["function"], f["file"]): f for f in top}
    for row in env.png.rows()[:3]:
        f = by_name.get((row["name"], row["file"]))
        check(f is not None, "%s not in info's top functions" % row["name"])
        check(f["samples_own"] == row["count"] and abs(f["own"] - row["share"]) < 1e-6 and
              abs(f["own_ci"][0] - row["lo"]) < 1e-6 and abs(f["own_ci"][1] - row["hi"]) < 1e-6,
              "%s: PNG %r, info %r" % (row["name"], row, f))
    m = env.png.meta
    check(m["time"]["from_s"] == 0 and abs(m["time"]["to_s"] - info["duration_s"]) < 0.01,
          "time range %r, recording %.3f s" % (m["time"], info["duration_s"]))


def test_picture(env):
    png = env.png
    rows = png.rows()
    lums = [png.box_luminance(r["cells"]) for r in rows]
    check(lums[0] == max(lums) and lums[0] > lums[1] > lums[2],
          "row brightness: %s" % ", ".join("%s %.0f" % (r["name"], v) for r, v in zip(rows, lums)))
    # the halves: alpha 60 then 40 %, beta 20 then 40 %
    n = png.meta["time"]["buckets"]

    def mean(vals):
        vals = [v for v in vals if v is not None]
        return sum(vals) / len(vals) if vals else float("nan")
    a1, a2 = mean(rows[0]["values"][:n * 2 // 5]), mean(rows[0]["values"][n * 3 // 5:])
    b1, b2 = mean(rows[1]["values"][:n * 2 // 5]), mean(rows[1]["values"][n * 3 // 5:])
    check(a1 > a2 + 0.1 and b2 > b1 + 0.1, "halves: alpha %.2f -> %.2f, beta %.2f -> %.2f" % (a1, a2, b1, b2))
    # the bars: longest for alpha, proportional to the shares
    bars = [r["bar"]["w"] for r in rows[:3]]
    check(bars[0] > bars[1] > bars[2] > 0, "bars %r" % bars)
    check_pixels_of_texts(png)
    check_colour_bar(png)
    for row in rows[:3]:
        want = "%s (%s:%d)" % (row["name"], tail2(row["file"]), def_line(row["file"], row["name"]))
        check(row["label"] == want, "label %r, want %r" % (row["label"], want))
        labels = [t for t in png.texts("label") if t["text"] == want]
        check(labels and labels[0]["y"] >= row["cells"]["y"] and
              labels[0]["y"] + labels[0]["h"] <= row["cells"]["y"] + row["cells"]["h"] + 1,
              "label %r is not beside its row" % want)
    for row in rows:
        check(row["label"] == expected_label(row) or row["label"].endswith(")") and "\u2026" in row["label"],
              "label %r for %r" % (row["label"], row))
    lines = [t["text"] for t in png.texts("info")]
    r = run_pyheat(["info", "--json", env.raw])
    meta = json.loads(r.stdout)
    want = "command: %s" % meta["command"]
    check(lines[0] == want or lines[0].endswith("\u2026") and want.startswith(lines[0][:-1]),
          "title block: %r, want %r" % (lines[0], want))
    check(TARGET in meta["command"], "the recorded command %r" % meta["command"])
    info = " ".join(lines)
    for want in ("pid %d " % meta["pid"], "Python %s " % meta["python_version"], "cpu mode", "1000 Hz",
                 "%d samples" % meta["samples"], "%d errors" % meta["errors"], " dropped"):
        check(want in info, "title block lacks %r: %r" % (want, info))
    title = png.texts("title")[0]["text"]
    check("own share by function" in title and png.text["Title"] == title, "title %r" % title)
    ticks = [t["text"] for t in png.texts("tick")]
    for want in ("0.0", "1.0", "2.0", "3.0", "4.0"):
        check(want in ticks or want[:-2] in ticks, "time ticks %r lack %s s" % (ticks, want))
    check(png.texts("axis-caption") and "seconds" in png.texts("axis-caption")[0]["text"], "axis caption")


def test_size(env):
    for w, h in ((900, 520), (1600, 1000), (640, 300)):
        stem = env.path("size-%dx%d" % (w, h))
        r = run_pyheat(["report", env.raw, "-f", "png", "-o", stem, "--width", str(w), "--height", str(h)])
        check(r.returncode == 0, "report --width %d --height %d: %s" % (w, h, r.stderr))
        png = Png(stem + ".png")
        check((png.width, png.height) == (w, h), "asked %dx%d, got %dx%d" % (w, h, png.width, png.height))
        check(png.meta["image"] == {"width": w, "height": h}, "meta image %r" % png.meta["image"])
        check_pixels_of_texts(png)
        check_colour_bar(png)
        shown = len(png.rows())
        rows = png.rows()
        names = [r["name"] for r in rows]
        # rows are grouped by file: heat_target.py's (alpha, beta, and the
        # loop's own samples, more of them on a loaded machine), then
        # heat_lib.py's gamma
        check([n for n in names if n in ("alpha", "beta", "gamma")] == ["alpha", "beta", "gamma"] and
              names[:2] == ["alpha", "beta"] and
              all(r["group"] == rows[0]["group"] for r in rows[:names.index("gamma")]),
              "%dx%d shows %r" % (w, h, [(r["name"], r["group"]) for r in rows]))
        if shown < png.meta["panels"][0]["rows_total"]:
            check(png.texts("note"), "%dx%d: rows left out without a note" % (w, h))
    r = run_pyheat(["report", env.raw, "-f", "png", "-o", env.path("top2"), "--top", "2"])
    check(r.returncode == 0, "--top 2: %s" % r.stderr)
    png = Png(env.path("top2.png"))
    check([x["name"] for x in png.rows()] == ["alpha", "beta"], "--top 2 rows %r" % png.rows())
    natural = png.height
    r = run_pyheat(["report", env.raw, "-f", "png", "-o", env.path("top12"), "--top", "12"])
    check(r.returncode == 0 and Png(env.path("top12.png")).height > natural,
          "the height does not grow with the rows")
    for args, word in ((["--width", "250"], "--width"), (["--height", "300", "--top", "40"], None),
                       (["--height", "200"], "--height"),
                       (["--width", "50"], "--width"), (["--height", "x"], "--height"),
                       (["--by", "self"], "--by"), (["--granularity", "file"], "--granularity"),
                       (["--top", "0"], "--top")):
        if word is None:   # fits by showing fewer rows, and says so
            r = run_pyheat(["report", env.raw, "-f", "png", "-o", env.path("fewer")] + args)
            check(r.returncode == 0, "%r: %s" % (args, r.stderr))
            png = Png(env.path("fewer.png"))
            # fewer rows and a note; a recording with so few functions that
            # they all fit (a slow sanitizer build) shows them all, no note
            total = png.meta["panels"][0]["rows_total"]
            check(png.height == 300 and ((len(png.rows()) < total and png.texts("note")) or
                                         (len(png.rows()) == total <= 6 and not png.texts("note"))),
                  "%r: %d rows of %d in %d px" % (args, len(png.rows()),
                                                                     png.meta["panels"][0]["rows_total"], png.height))
            check_pixels_of_texts(png)
            continue
        r = run_pyheat(["report", env.raw, "-f", "png", "-o", env.path("bad")] + args)
        lines = r.stderr.splitlines()
        check(r.returncode == 64 and len(lines) == 1 and word in lines[0] and lines[0].startswith("pyheat: "),
              "%r: exit %d, stderr %r" % (args, r.returncode, r.stderr))
        check(not os.path.exists(env.path("bad.png")), "%r left a file" % args)


def test_by_total(env):
    stem = env.path("total")
    r = run_pyheat(["report", env.raw, "-f", "png", "-o", stem, "--by", "total"])
    check(r.returncode == 0, r.stderr)
    png = Png(stem + ".png")
    rows = png.rows()
    check(png.meta["props"]["by"] == "total" and "total share" in png.texts("title")[0]["text"], "by total")
    check(rows[0]["share"] > 0.95 and rows[0]["name"] in ("<module>", "main", "turns"),
          "top row by total: %r %.3f" % (rows[0]["name"], rows[0]["share"]))
    shares = {r["name"]: r["share"] for r in rows}
    for name, want in (("alpha", .5), ("beta", .3), ("gamma", .2)):
        check(abs(shares.get(name, 0) - want) <= 0.03, "%s total %r" % (name, shares.get(name)))
    check_pixels_of_texts(png)


def test_lines(env):
    stem = env.path("lines")
    r = run_pyheat(["report", env.raw, "-f", "png", "-o", stem, "--granularity", "line"])
    check(r.returncode == 0, r.stderr)
    png = Png(stem + ".png")
    rows = png.rows()
    want = [(TARGET, marks(TARGET)["alpha"]), (TARGET, marks(TARGET)["beta"]), (LIB, marks(LIB)["gamma"])]
    top = sorted(rows, key=lambda x: -x["share"])[:3]
    got = [(x["file"], x["line"]) for x in top]
    check(got == want, "top lines %r, want %r" % (got, want))
    # grouped by file: heat_target.py's lines, then heat_lib.py's
    files = [x["file"] for x in rows]
    check(files == sorted(files, key=lambda f: f != TARGET) and files[0] == TARGET,
          "rows not grouped by file: %r" % files)
    for row, w in zip(top, (.5, .3, .2)):
        check(abs(row["share"] - w) <= 0.04, "line %s:%d share %.3f" % (row["file"], row["line"], row["share"]))
        check(row["label"] == "%s (%s:%d)" % (row["name"], tail2(row["file"]), row["line"]),
              "line label %r" % row["label"])
    check(png.meta["props"]["granularity"] == "line" and "by line" in png.texts("title")[0]["text"],
          "granularity props/title")
    check_pixels_of_texts(png)


def test_threads(env):
    stem = env.path("threads")
    record(env, stem, ["--threads"], ["4", "threads"])
    png = Png(stem + ".png")
    env.threads = png
    panels = png.meta["panels"]
    check(png.meta["props"]["panels"] == "thread" and len(panels) >= 2, "panels: %r" %
          [p["title"] for p in panels])
    check(all(p["tid"] for p in panels), "a panel without a thread id")
    check(len(set(p["tid"] for p in panels)) == len(panels), "two panels for one thread")
    by = {}
    for p in panels:
        names = [r["name"] for r in p["rows"]]
        if "alpha" in names:
            by["worker-a"] = p
        elif names and names[0] == "gamma":
            by["worker-b"] = p
    check(set(by) == {"worker-a", "worker-b"}, "panels %r" % [(p["title"], [r["name"] for r in p["rows"]])
                                                              for p in panels])
    for name, p in by.items():
        check('"%s"' % name in p["title"], "%s's panel is called %r" % (name, p["title"]))
    a = {r["name"]: r for r in by["worker-a"]["rows"]}
    check("alpha" in a and "beta" in a and abs(a["alpha"]["share"] - .5) <= .12 and
          abs(a["beta"]["share"] - .5) <= .12, "worker-a rows %r" %
          [(r["name"], r["share"]) for r in by["worker-a"]["rows"]])
    n = png.meta["time"]["buckets"]
    vals = [v for v in a["alpha"]["values"][:n * 2 // 5] if v is not None]
    late = [v for v in a["alpha"]["values"][n * 3 // 5:] if v is not None]
    check(vals and sum(vals) / len(vals) > 0.8 and (not late or sum(late) / len(late) < 0.2),
          "worker-a's alpha over time: %r" % a["alpha"]["values"])
    b = by["worker-b"]["rows"]
    check(b[0]["name"] == "gamma" and b[0]["share"] > 0.9, "worker-b rows %r" % [(r["name"], r["share"])
                                                                                 for r in b])
    titles = [t["text"] for t in png.texts("panel")]
    check(len(titles) == len(panels), "panel headings %r" % titles)
    check_pixels_of_texts(png)
    # each panel's plot sits below the previous one
    ys = [p["plot"]["y"] for p in panels]
    check(ys == sorted(ys) and all(p["plot"]["y"] + p["plot"]["h"] <= png.height for p in panels), "plots %r" % ys)


# ---- profiles with known content ------------------------------------------------

def hexs(b):
    b = b if isinstance(b, bytes) else b.encode("utf-8")
    return b.hex() if b else "-"


def make_profile(path, funcs, threads, samples, duration_ns, pid=4242, rate=100, end="close",
                 cmdline="python3 app.py"):
    """funcs: [(name, file, firstline)]; threads: [(pid, tid, name)];
    samples: [(t_ns, thread, [func...] innermost first)]."""
    strings = {}

    def s(v):
        v = v if isinstance(v, bytes) else v.encode("utf-8")
        if v not in strings:
            strings[v] = len(strings)
        return strings[v]
    lines = ["meta pid %d" % pid, "meta rate %d" % rate, "meta start 1700000000000000000",
             "meta cmdline %s" % hexs(cmdline), "meta exe %s" % hexs("/usr/bin/python3"),
             "meta python %s" % hexs("3.12.1"), "meta mode %s" % hexs("cpu"), "meta host %s" % hexs("h"),
             "meta version %s" % hexs("0.1.0")]
    for name, file, _ in funcs:
        s(name), s(file)
    for _, _, name in threads:
        s(name)
    for v, i in sorted(strings.items(), key=lambda kv: kv[1]):
        lines.append("string %d %s" % (i, hexs(v)))
    for i, (name, file, first) in enumerate(funcs):
        lines.append("func %d %d %d %d" % (i, s(name), s(file), first))
        lines.append("frame %d %d %d" % (i, i, first + 1))
    stacks = {}
    for _, _, st in samples:
        stacks.setdefault(tuple(st), len(stacks))
    for st, i in stacks.items():
        lines.append("stack %d %s" % (i, " ".join(map(str, st))))
    for i, (tpid, tid, name) in enumerate(threads):
        lines.append("thread %d %d %d %d" % (i, tpid, tid, s(name)))
    for t, th, st in samples:
        lines.append("sample %d %d %d 1" % (t, th, stacks[tuple(st)]))
    lines.append("counts 0 0")
    lines.append("close %d" % duration_ns if end == "close" else "abort")
    r = subprocess.run([MAKE_PROFILE, path], input="\n".join(lines).encode() + b"\n", capture_output=True,
                       timeout=60)
    check(r.returncode == 0, "make-profile: %s" % r.stderr.decode())


def report_png(env, raw, name, *args):
    stem = env.path(name)
    r = run_pyheat(["report", raw, "-f", "png", "-o", stem] + list(args))
    check(r.returncode == 0, "report %s: %s" % (" ".join(args), r.stderr))
    check(r.stdout.splitlines() == [stem + ".png"], "report printed %r" % r.stdout)
    return Png(stem + ".png")


MS = 1000000


def test_exact(env):
    """100 Hz, 2 s: fa alone for the first second, then fa 50 %, fb 30 %,
    fc 20 %; fa and fc in /app/a.py, fb in /srv/b.py (so fc sits beside fa)."""
    raw = env.path("exact.pyheat")
    funcs = [("fa", "/app/a.py", 10), ("fb", "/srv/b.py", 20), ("fc", "/app/a.py", 30), ("main", "/app/a.py", 1)]
    samples = []
    for k in range(200):
        t = k * 10 * MS
        who = 0 if k < 100 else (0, 0, 0, 0, 0, 1, 1, 1, 2, 2)[k % 10]
        samples.append((t, 0, [who, 3]))
    make_profile(raw, funcs, [(4242, 4242, "MainThread")], samples, 2000 * MS)
    png = report_png(env, raw, "exact")
    m = png.meta
    check(m["time"] == {"from_s": 0, "to_s": 2, "bucket_s": 0.1, "buckets": 20, "plot_to_s": 2},
          "time %r" % m["time"])
    rows = png.rows()
    check([(r["name"], r["file"]) for r in rows] == [("fa", "/app/a.py"), ("fc", "/app/a.py"),
                                                     ("fb", "/srv/b.py")],
          "rows (grouped by file) %r" % [(r["name"], r["file"]) for r in rows])
    want = {"fa": [1.0] * 10 + [0.5] * 10, "fb": [0.0] * 10 + [0.3] * 10, "fc": [0.0] * 10 + [0.2] * 10}
    for r in rows:
        check(all(abs(a - b) < 1e-3 for a, b in zip(r["values"], want[r["name"]])), "%s cells %r" %
              (r["name"], r["values"]))
    shares = {r["name"]: r["share"] for r in rows}
    check(abs(shares["fa"] - .75) < 1e-9 and abs(shares["fb"] - .15) < 1e-9 and abs(shares["fc"] - .1) < 1e-9,
          "shares %r" % shares)
    check(rows[1]["group"] == rows[0]["group"] and rows[1]["cells"]["y"] == rows[0]["cells"]["y"] +
          rows[0]["cells"]["h"] and rows[2]["cells"]["y"] > rows[1]["cells"]["y"] + rows[1]["cells"]["h"],
          "no gap between groups, or one inside a group")
    check(m["value"]["max"] == 1.0 and m["value"]["unit"] == "fraction", "scale %r" % m["value"])
    # the cells' colours: fa's first half at the top of the scale, fb's at its bottom
    fa, fb = rows[0]["cells"], rows[2]["cells"]
    check(png.pixel(fa["x"] + 2, fa["y"] + 2) == VIRIDIS_LAST and png.pixel(fb["x"] + 2, fb["y"] + 2) ==
          VIRIDIS_FIRST, "cell colours %r %r" % (png.pixel(fa["x"] + 2, fa["y"] + 2),
                                                 png.pixel(fb["x"] + 2, fb["y"] + 2)))
    check_pixels_of_texts(png)
    check_colour_bar(png)
    # --by total: main is on every stack
    png = report_png(env, raw, "exact-total", "--by", "total")
    check(png.rows()[0]["name"] == "main" and png.rows()[0]["share"] == 1.0, "by total %r" % png.rows()[0])
    # a window: --from/--to
    png = report_png(env, raw, "exact-window", "--from", "0.5", "--to", "1.5")
    t = png.meta["time"]
    check(t["from_s"] == 0.5 and t["to_s"] == 1.5 and t["buckets"] == 10, "window time %r" % t)
    vals = {r["name"]: r["values"] for r in png.rows()}
    check(all(abs(v - 1) < 1e-3 for v in vals["fa"][:5]) and all(abs(v - .5) < 1e-3 for v in vals["fa"][5:]),
          "window cells %r" % vals["fa"])
    check(any("selected: 0.50 s to 1.50 s" in x["text"] for x in png.texts("info")), "window not in the title")
    ticks = [x["text"] for x in png.texts("tick")]
    check("0.6" in ticks and "1.4" in ticks, "window ticks %r" % ticks)
    check_pixels_of_texts(png)


def test_processes(env):
    raw = env.path("procs.pyheat")
    funcs = [("parent_work", "/app/p.py", 1), ("child_work", "/app/c.py", 1)]
    threads = [(100, 100, "MainThread"), (200, 200, "MainThread"), (200, 201, "pool")]
    samples = []
    for k in range(100):
        samples.append((k * 10 * MS, 0, [0]))
        samples.append((k * 10 * MS + MS, 1 if k % 2 else 2, [1]))
    make_profile(raw, funcs, threads, samples, 1000 * MS, pid=100)
    png = report_png(env, raw, "procs")
    panels = png.meta["panels"]
    check(png.meta["props"]["panels"] == "process" and [p["pid"] for p in panels] == [100, 200],
          "panels %r" % [(p["pid"], p["title"]) for p in panels])
    check([r["name"] for r in panels[0]["rows"]] == ["parent_work"] and panels[0]["rows"][0]["share"] == 1.0 and
          [r["name"] for r in panels[1]["rows"]] == ["child_work"], "process rows")
    check("(root)" in panels[0]["title"] and "process 200" in panels[1]["title"], "titles %r" %
          [p["title"] for p in panels])
    png = report_png(env, raw, "procs-threads", "--threads")
    check([(p["pid"], p["tid"]) for p in png.meta["panels"]] == [(100, 100), (200, 200), (200, 201)],
          "thread panels %r" % [(p["pid"], p["tid"]) for p in png.meta["panels"]])
    check('"pool"' in png.meta["panels"][2]["title"], "thread name in the title")
    png = report_png(env, raw, "procs-pid", "--pid", "200")
    check(len(png.meta["panels"]) == 1 and png.rows()[0]["name"] == "child_work", "--pid 200 panels")
    check_pixels_of_texts(png)


HOSTILE = [
    ("esc", b"\x1b[31mred\x1b[0m\x07bell", "[31mred[0mbell"),
    ("newline", b"two\nlines\r\t", "twolines"),
    ("c1", "c1\u009b2J".encode("utf-8"), "c12J"),
    ("bidi", "\u202eevil\u2066x\u200b".encode("utf-8"), "evilx"),
    ("badutf8", b"bad\xff\xfename", "bad\ufffd\ufffdname"),
    ("cjk", "\u95a2\u6570_\U00020000".encode("utf-8"), "\u95a2\u6570_\U00020000"),
    ("quote", b'q"uo\\te</script>', 'q"uo\\te</script>'),
]


def test_hostile(env):
    raw = env.path("hostile.pyheat")
    funcs = [(raw_name, "/app/\x1bevil\n/\xe9t\xe9.py".encode("utf-8") if tag == "esc" else "/app/m.py", 10)
             for tag, raw_name, _ in HOSTILE]
    funcs.append(("x" * 300, "/" + "/".join(["deep"] * 40) + "/f.py", 5))
    samples = []
    k = 0
    for i in range(len(funcs)):
        for _ in range(10 + i):
            samples.append((k * 10 * MS, 0, [i]))
            k += 1
    make_profile(raw, funcs, [(4242, 4242, "Main\x1b[2J")], samples, k * 10 * MS,
                 cmdline="python3 \x1b]0;pwn\x07 --name=\u00e9\u95a2")
    png = report_png(env, raw, "hostile", "--threads")
    rows = {r["name"]: r for r in png.rows()}
    for tag, _, clean in HOSTILE:
        check(clean in rows, "%s: cleaned name %r not among %r" % (tag, clean, sorted(rows)))
        label = rows[clean]["label"]
        check(not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e for c in label),
              "%s: control characters in label %r" % (tag, label))
    esc_row = rows["[31mred[0mbell"]
    check(esc_row["file"] == "/app/evil/\u00e9t\u00e9.py" and esc_row["label"].startswith("[31mred[0mbell (evil/"),
          "cleaned file %r, label %r" % (esc_row["file"], esc_row["label"]))
    long_row = rows["x" * 300]
    check(len(long_row["label"]) <= 64 and long_row["label"].endswith("(f.py:5)") and
          "\u2026" in long_row["label"], "long label %r" % long_row["label"])
    check(all("\x1b" not in t["text"] for t in png.texts()), "ESC drawn")
    check("Main[2J" in png.meta["panels"][0]["title"], "thread name %r" % png.meta["panels"][0]["title"])
    # the Latin-1 chunks: '?' for what Latin-1 lacks, no controls
    check(png.text["Description"].startswith("command: python3 ]0;pwn --name=\u00e9?"),
          "Description %r" % png.text["Description"][:80])
    check_pixels_of_texts(png)


def test_empty_and_cut(env):
    raw = env.path("empty.pyheat")
    make_profile(raw, [("f", "/a.py", 1)], [(1, 1, "T")], [], 0)
    png = report_png(env, raw, "empty")
    check(png.meta["panels"][0]["rows"] == [] and png.texts("empty"), "empty profile: %r" % png.meta["panels"])
    check_pixels_of_texts(png)
    raw = env.path("cut.pyheat")
    make_profile(raw, [("f", "/a.py", 1)], [(1, 1, "T")], [(k * 10 * MS, 0, [0]) for k in range(50)], 0,
                 end="abort")
    r = run_pyheat(["report", raw, "-f", "png", "-o", env.path("cut")])
    check(r.returncode == 0 and os.path.exists(env.path("cut.png")), "cut short: %s" % r.stderr)
    png = Png(env.path("cut.png"))
    check("cut short" in png.text["Description"], "cut short not said: %r" % png.text["Description"])


def main():
    rep = Report("test_png")
    for tool in (PROBE, MAKE_PROFILE):
        if not os.access(tool, os.X_OK):
            print("test_png: %s is missing (run make)" % tool)
            return 1
    env = Env()
    try:
        rep.run("recording: alpha/beta/gamma at 50/30/20 %", test_recording, env)
        if env.raw:
            for name, fn in (("recording: shares equal pyheat info's", test_matches_info),
                             ("recording: brightness, halves, texts pixel-exact, colour bar", test_picture),
                             ("--width/--height/--top; bad sizes exit 64", test_size),
                             ("--by total", test_by_total),
                             ("--granularity line: the marked lines", test_lines)):
                rep.run(name, fn, env)
        else:
            for name in ("shares equal info's", "picture", "sizes", "--by total", "--granularity line"):
                rep.skip(name, "no recording")
        rep.run("--threads: a panel per thread", test_threads, env)
        for name, fn in (("known profile: exact cells, groups, window", test_exact),
                         ("known profile: a panel per process", test_processes),
                         ("known profile: hostile names", test_hostile),
                         ("known profile: empty, cut short", test_empty_and_cut)):
            rep.run(name, fn, env)
        keep = os.environ.get("PYHEAT_PNG_KEEP")
        if keep:
            os.makedirs(keep, exist_ok=True)
            for f in os.listdir(env.dir):
                if f.endswith(".png"):
                    shutil.copy(os.path.join(env.dir, f), keep)
    finally:
        shutil.rmtree(env.dir, ignore_errors=True)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
