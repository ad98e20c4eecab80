#!/usr/bin/env bash
# conflictwatch daemon benchmark (issue 4): how many appended lines per second `tail` keeps up with.
# A generated combined log is appended in one go (cat, far faster than the daemon) to a file the
# daemon follows; the time from the append to the moment `routes` counts every line is the
# daemon's sustained rate: reading, parsing, the model, and committing to the store with
# checkpoints. Also reports the lag of one line appended to an idle daemon.
#
#   CONFLICTWATCH_BIN=.build/release/conflictwatch bash Benchmarks/daemon_bench.sh
#
# Knobs: BENCH_LINES (default 2000000), BENCH_DIR (default <repo>/.build/bench-daemon),
#        BENCH_INPUT=FILE (an existing combined log instead of a generated one).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
lines=${BENCH_LINES:-2000000}
bin=${CONFLICTWATCH_BIN:-$repo/.build/release/conflictwatch}
work=${BENCH_DIR:-$repo/.build/bench-daemon}
[[ -x $bin ]] || { echo "daemon bench: no binary at $bin (make release, or set CONFLICTWATCH_BIN)" >&2; exit 1; }
mkdir -p "$work"
input=${BENCH_INPUT:-$work/input-$lines.log}
if [[ ! -s $input ]]; then
  python3 "$here/generate_log.py" --lines "$lines" --out "$input" --quiet
fi
lines=$(wc -l < "$input")
rm -rf "$work/state" "$work/access.log"
: > "$work/access.log"

"$bin" tail --state-dir "$work/state" --log-format combined "$work/access.log" 2> "$work/daemon.log" &
daemon=$!
trap 'kill -TERM $daemon 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q 'following file' "$work/daemon.log" && break; sleep 0.05; done

count() {
  "$bin" routes --state-dir "$work/state" --format json 2>/dev/null |
    python3 -c 'import json,sys; print(sum(r["requests"] for r in json.load(sys.stdin)))' 2>/dev/null || echo 0
}

start=$EPOCHREALTIME
cat "$input" >> "$work/access.log"
stored=0
for _ in $(seq 1 1200); do
  stored=$(count)
  [[ $stored -ge $lines ]] && break
  sleep 0.1
done
end=$EPOCHREALTIME
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
rate=$(awk -v n="$lines" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')

# Lag of one line on an idle daemon.
line='127.0.0.1 - - [24/Nov/2026:23:59:59 +0100] "PUT /api/orders/1 HTTP/1.1" 200 1 "-" "bench"'
want=$((lines + 1))
t0=$EPOCHREALTIME
echo "$line" >> "$work/access.log"
for _ in $(seq 1 200); do [[ $(count) -ge $want ]] && break; sleep 0.01; done
lag=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')

stop0=$EPOCHREALTIME
kill -TERM $daemon; wait $daemon; rc=$?
trap - EXIT
stop=$(awk -v a="$stop0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
printf 'daemon: %s lines appended, all %s stored in %s s: %s lines/s (target >= 200000)\n' "$lines" "$stored" "$secs" "$rate"
printf 'daemon: one line on an idle daemon queryable after %s s (target <= 1 s, includes one `routes` run)\n' "$lag"
printf 'daemon: SIGTERM to exit %s in %s s (target <= 5 s)\n' "$rc" "$stop"
