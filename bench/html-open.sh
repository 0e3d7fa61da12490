#!/usr/bin/env bash
# bench/html-open.sh — size and open time of the HTML report (and the SVG)
# for a long recording.
#
#   bench/html-open.sh [SAMPLES]     (default 1000000)
#
# Writes a synthetic raw profile with tests/tools/make-profile (build it with
# `make`): SAMPLES samples at 1 kHz from 6 threads in 2 processes, 300
# functions in 40 files (with their source), 2000 distinct stacks up to 25
# frames deep, the busy stacks changing over 10 phases. Then times
# `pyheat report -f html,svg`, prints the files' sizes, and opens the HTML in
# headless Chromium (tests/browser/open-time.js, playwright-core from
# build/npm/browser, installed by tests/test_html.py) three times: wall time
# from navigation to the page's ready mark, and the page's own clock.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
dir=$(mktemp -d /tmp/pyheat-html-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
make_profile=${PYHEAT_UNITS:-$root/build/tests}/tools/make-profile
pyheat=${PYHEAT:-$root/pyheat}
[[ -x $make_profile && -x $pyheat ]] || { echo "html-open: run make first" >&2; exit 1; }

python3 - "$n" > "$dir/script" <<'PY'
import random, sys
n = int(sys.argv[1])
rnd = random.Random(42)
out = sys.stdout.write
strings = {}
def s(text):
    if text not in strings:
        strings[text] = len(strings)
        out("string %d %s\n" % (strings[text], text.encode().hex() or "-"))
    return strings[text]
for k, v in (("pid", 1000), ("rate", 1000), ("start", 1700000000000000000)):
    out("meta %s %d\n" % (k, v))
for k, v in (("cmdline", "python3 /srv/app/main.py --bench"), ("exe", "/usr/bin/python3"), ("python", "3.12.1"),
             ("mode", "cpu"), ("host", "bench"), ("version", "bench")):
    out("meta %s %s\n" % (k, v.encode().hex()))
files = ["/srv/app/mod%02d.py" % i for i in range(40)]
funcs = []
for i in range(300):
    fid = len(funcs)
    f = files[i % 40]
    first = 1 + (i // 40) * 12
    out("func %d %d %d %d\n" % (fid, s("func_%03d" % i), s(f), first))
    funcs.append((f, first))
frames = {}
def frame(fn, line):
    key = (fn, line)
    if key not in frames:
        frames[key] = len(frames)
        out("frame %d %d %d\n" % (frames[key], fn, line))
    return frames[key]
# a call tree: each function calls a few later ones
calls = {i: rnd.sample(range(i + 1, 300), min(4, 299 - i)) for i in range(300)}
stacks = []
while len(stacks) < 2000:
    fn, path = rnd.randrange(0, 10), []
    for _ in range(rnd.randrange(3, 26)):
        path.append(frame(fn, funcs[fn][1] + rnd.randrange(1, 9)))
        if not calls[fn]:
            break
        fn = rnd.choice(calls[fn])
    stacks.append(list(reversed(path)))
for i, st in enumerate(stacks):
    out("stack %d %s\n" % (i, " ".join(map(str, st))))
threads = [(1000, 1000 + t, "worker-%d" % t) for t in range(4)] + [(1001, 1001 + t, "child-%d" % t) for t in range(2)]
for i, (pid, tid, name) in enumerate(threads):
    out("thread %d %d %d %d\n" % (i, pid, tid, s(name)))
for f in files:
    text = "".join("    x = compute(%d)  # line %d of %s\n" % (j, j + 1, f) for j in range(300))
    out("source %d %s\n" % (s(f), text.encode().hex()))
ticks = (n + len(threads) - 1) // len(threads)
phase_len = max(1, ticks // 10)
hot = [rnd.sample(range(2000), 60) for _ in range(11)]
written = 0
for k in range(ticks):
    if k and k % 1000 == 0:
        out("flush\n")
    ph = hot[k // phase_len]
    for th in range(len(threads)):
        if written == n:
            break
        st = rnd.choice(ph) if rnd.random() < 0.8 else rnd.randrange(2000)
        out("sample %d %d %d 1\n" % (k * 1000000 + rnd.randrange(0, 300000), th, st))
        written += 1
out("close %d\n" % (ticks * 1000000))
PY
"$make_profile" "$dir/bench.pyheat" < "$dir/script"
rm -f "$dir/script"
echo "profile: $n samples, $(stat -c %s "$dir/bench.pyheat") bytes"
t0=$(date +%s.%N)
"$pyheat" report "$dir/bench.pyheat" -f html -o "$dir/bench" >/dev/null
t1=$(date +%s.%N)
"$pyheat" report "$dir/bench.pyheat" -f svg -o "$dir/bench" >/dev/null
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v h="$(stat -c %s "$dir/bench.html")" -v s="$(stat -c %s "$dir/bench.svg")" \
	'BEGIN { printf "html: %.2f MB, written in %.2f s\nsvg:  %.2f MB, written in %.2f s\n", h / 1048576, b - a, s / 1048576, c - b }'
export PYHEAT_PLAYWRIGHT_DIRS=${PYHEAT_PLAYWRIGHT_DIRS:-${PYHEAT_NPM_DIR:-$root/build/npm}/browser:${PYHEAT_NPM_DIR:-$root/build/npm}}
node "$root/tests/browser/open-time.js" "$dir/bench.html" 3
if [[ -n ${PYHEAT_BENCH_KEEP:-} ]]; then
	cp "$dir/bench.html" "$dir/bench.svg" "$dir/bench.pyheat" "$PYHEAT_BENCH_KEEP"/
fi
