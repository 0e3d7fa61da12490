#!/usr/bin/env bash
# ui-cpu.sh — the live view's own CPU (issue 5: goal < 2% of a core).
#
#   bench/ui-cpu.sh [SECONDS] [RATE]
#
# Runs `pyheat attach` in a detached tmux terminal against a 4-thread target
# (bench/threads.py) and reads the CPU time of pyheat's UI thread (its main
# thread: the sampler and aggregator are other threads) and of the whole
# process from /proc over SECONDS (default 30) at RATE Hz (default 100).
# Prints "ui_cpu_percent X process_cpu_percent Y".
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
rate=${2:-100}
py=${PYTHON:-/usr/bin/python3}
sess=pyheat-ui-cpu-$$
tmp=$(mktemp -d)
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; kill "$target" 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$py" bench/threads.py "$tmp/ready" >/dev/null 2>&1 &
target=$!
for _ in $(seq 100); do [[ -e $tmp/ready ]] && break; sleep 0.1; done
tmux new-session -d -s "$sess" -x 160 -y 50 "./pyheat attach --pid $target --rate $rate"
pid=
for _ in $(seq 100); do
	pid=$(pgrep -f "^./pyheat attach --pid $target" | head -n 1) && [[ -n $pid ]] && break
	sleep 0.1
done
[[ -n $pid ]] || { echo "ui-cpu: pyheat attach did not start" >&2; exit 1; }
sleep 2   # past start-up

ticks() {   # utime + stime of /proc/$1/stat (fields 14, 15), in clock ticks
	awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$1"
}
hz=$(getconf CLK_TCK)
u0=$(ticks "/proc/$pid/task/$pid/stat"); p0=$(ticks "/proc/$pid/stat"); t0=$(date +%s.%N)
sleep "$secs"
u1=$(ticks "/proc/$pid/task/$pid/stat"); p1=$(ticks "/proc/$pid/stat"); t1=$(date +%s.%N)
awk -v u="$((u1 - u0))" -v p="$((p1 - p0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" \
	-v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
	'BEGIN { el = t1 - t0; printf "ui_cpu_percent %.2f process_cpu_percent %.2f over %.1f s (load %s)\n",
	         100 * u / hz / el, 100 * p / hz / el, el, load }'
tmux send-keys -t "$sess" q
