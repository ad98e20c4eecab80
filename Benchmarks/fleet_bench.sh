#!/usr/bin/env bash
# conflictwatch fleet benchmark (SPEC section 11, docs/fleet.md): what shipping costs an agent, and
# how many lines per second a fleet of agents and its aggregator take in on one PostgreSQL.
#
# 1. One agent, shipping off and on, alternating (BENCH_ROUNDS each): `tail --listen` on an empty
#    file, a generated combined log appended in one go, timed until the agent's own store (its
#    query API) counts every line — the agent's ingest rate. With shipping on, the same daemon
#    also fills its outbox and ships it to PostgreSQL (and leads the aggregator: it is alone).
# 2. A fleet: BENCH_AGENTS agent processes on one PostgreSQL, each following its own empty file;
#    the log dealt round-robin over the files (a load balancer's view), appended to all at once;
#    timed until every summary is in PostgreSQL (the agents' rate) and until the fleet's routes
#    count every line (through the aggregator: the fleet's rate).
#
#   CONFLICTWATCH_BIN=.build/release/conflictwatch bash Benchmarks/fleet_bench.sh
#
# PostgreSQL: CONFLICTWATCH_TEST_DATABASE_URL (a database the bench may create databases on), else
# a throwaway server from scripts/with_postgres.sh (as `make test` uses).
# Knobs: BENCH_LINES (default 2000000), BENCH_AGENTS (default 8), BENCH_ROUNDS (default 2),
#        BENCH_DIR (default <repo>/.build/bench-fleet).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
if [[ -z ${CONFLICTWATCH_TEST_DATABASE_URL:-} ]]; then
  exec bash "$repo/scripts/with_postgres.sh" bash "${BASH_SOURCE[0]}" "$@"
fi
lines=${BENCH_LINES:-2000000}
agents=${BENCH_AGENTS:-8}
rounds=${BENCH_ROUNDS:-2}
bin=${CONFLICTWATCH_BIN:-$repo/.build/release/conflictwatch}
work=${BENCH_DIR:-$repo/.build/bench-fleet}
[[ -x $bin ]] || { echo "fleet bench: no binary at $bin (make release, or set CONFLICTWATCH_BIN)" >&2; exit 1; }
command -v psql >/dev/null || { echo "fleet bench: psql not found (make test-deps installs postgresql)" >&2; exit 1; }
command -v curl >/dev/null || { echo "fleet bench: curl not found" >&2; exit 1; }
mkdir -p "$work"
work=$(cd "$work" && pwd)
input=$work/input-$lines.log
[[ -s $input ]] || python3 "$here/generate_log.py" --lines "$lines" --out "$input" --quiet
lines=$(wc -l < "$input")
cat "$input" > /dev/null

base=$CONFLICTWATCH_TEST_DATABASE_URL
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
fresh_db() {
  local name="bench_$1_$RANDOM$RANDOM"
  psql "$base" -qAt -c "CREATE DATABASE $name" >/dev/null
  # The same server and options (sslmode=…), another database.
  local path=${base%%\?*} query=
  [[ $base == *\?* ]] && query="?${base#*\?}"
  echo "${path%/*}/$name$query"
}
wait_following() { for _ in $(seq 1 200); do grep -qs 'following file' "$1" && return 0; sleep 0.05; done; return 0; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }
requests() { { grep -o '"requests" *: *[0-9]*' || true; } | awk -F: '{ s += $2 } END { print s + 0 }'; }

# ---- 1. one agent, shipping off / on -----------------------------------------------------------
one_agent() {  # $1 = off|on; prints the seconds until the agent's store counted every line
  local mode=$1 dir=$work/one-$1 port url db=() t0 n=0
  rm -rf "$dir"; mkdir -p "$dir"; : > "$dir/access.log"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  [[ $mode == on ]] && db=(--database-url "$(fresh_db one)" --agent bench)
  "$bin" tail --state-dir "$dir/state" --log-format combined --listen "127.0.0.1:$port" "${db[@]}" "$dir/access.log" > /dev/null 2> "$dir/daemon.log" &
  local pid=$!
  wait_following "$dir/daemon.log"
  for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  t0=$EPOCHREALTIME
  cat "$input" >> "$dir/access.log"
  local deadline=$(( ${EPOCHREALTIME%.*} + 300 ))
  while (( n < lines && ${EPOCHREALTIME%.*} < deadline )); do
    # What the agent itself has stored: every exchange accounted and nothing waiting for a
    # commit (its /api/v1/routes shows the fleet's routes once it has a database).
    n=$(curl -sf "$url/metrics" 2>/dev/null | awk '$1 == "conflictwatch_exchanges_total" { n = $2 } $1 == "conflictwatch_lag_seconds" { lag = $2 } END { print (lag == 0 ? n + 0 : 0) }')
    (( n >= lines )) || sleep 0.05
  done
  local secs; secs=$(elapsed "$t0")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  (( n >= lines )) || echo "fleet: WARNING: one agent ($mode) stored $n of $lines lines within 300 s" >&2
  echo "$secs"
}
off=(); on=()
for r in $(seq 1 "$rounds"); do
  off+=("$(one_agent off)")
  on+=("$(one_agent on)")
done
rate() { awk -v n="$lines" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
best() { printf '%s\n' "$@" | sort -n | head -1; }
printf 'fleet: one agent, %s lines, shipping off: %s s (%s lines/s best of %s: %s)\n' "$lines" "$(best "${off[@]}")" "$(rate "$(best "${off[@]}")")" "$rounds" "${off[*]}"
printf 'fleet: one agent, %s lines, shipping on:  %s s (%s lines/s best of %s: %s)\n' "$lines" "$(best "${on[@]}")" "$(rate "$(best "${on[@]}")")" "$rounds" "${on[*]}"
awk -v a="$(best "${off[@]}")" -v b="$(best "${on[@]}")" 'BEGIN { printf "fleet: shipping on costs the agent %.1f %% of its ingest rate (target <= 20 %%)\n", (1 - a / b) * 100 }'

# ---- 2. a fleet ---------------------------------------------------------------------------------
dir=$work/fleet
rm -rf "$dir"; mkdir -p "$dir"
url=$(fresh_db fleet)
for i in $(seq 0 $((agents - 1))); do : > "$dir/host$i.log"; done
awk -v n="$agents" -v d="$dir" '{ print > (d "/share" (NR - 1) % n ".log") }' "$input"
for i in $(seq 0 $((agents - 1))); do
  "$bin" tail --state-dir "$dir/state$i" --log-format combined --database-url "$url" --agent "web$i" "$dir/host$i.log" > /dev/null 2> "$dir/agent$i.log" &
  pids+=($!)
done
for i in $(seq 0 $((agents - 1))); do wait_following "$dir/agent$i.log"; done
sleep 1
t0=$EPOCHREALTIME
appends=()
for i in $(seq 0 $((agents - 1))); do cat "$dir/share$i.log" >> "$dir/host$i.log" & appends+=($!); done
wait "${appends[@]}"
shipped_secs=""; counted=0; t95=""
# The last seconds of traffic wait for the quietest agent's clock, which moves on with the wall
# clock once its source has been idle a bucket (SPEC §8): a latency of the end of the input, not
# a rate. So the fleet's rate is taken at 95 % of the lines, and the time to 100 % shown beside it.
deadline=$(( ${EPOCHREALTIME%.*} + 600 ))
while (( ${EPOCHREALTIME%.*} < deadline )); do
  if [[ -z $shipped_secs ]]; then
    s=$(psql "$url" -qAt -c "SELECT coalesce(sum(records), 0) FROM fleet_summary" 2>/dev/null || echo 0)
    (( s >= lines )) && shipped_secs=$(elapsed "$t0")
  fi
  counted=$("$bin" routes --database-url "$url" --format json 2>/dev/null | requests)
  [[ -z $t95 ]] && (( counted * 100 >= lines * 95 )) && t95=$(elapsed "$t0")
  (( counted >= lines )) && break
  sleep 0.2
done
fleet_secs=$(elapsed "$t0")
leader=$(psql "$url" -qAt -c "SELECT holder FROM fleet_state" 2>/dev/null || true)
printf 'fleet: %s agents on %s lines dealt round-robin: all shipped to PostgreSQL in %s s (%s lines/s)\n' "$agents" "$lines" "${shipped_secs:-?}" "$([[ -n $shipped_secs ]] && rate "$shipped_secs" || echo ?)"
printf 'fleet: the aggregator (%s) counted 95 %% of the lines in %s s: %s lines/s (target >= 1000000); all %s of %s in %s s\n' \
  "$leader" "${t95:-?}" "$([[ -n $t95 ]] && awk -v n="$lines" -v s="$t95" 'BEGIN { printf "%.0f", 0.95 * n / s }' || echo ?)" "$counted" "$lines" "$fleet_secs"
printf 'fleet: PostgreSQL holds %s for the summaries\n' "$(psql "$url" -qAt -c "SELECT pg_size_pretty(pg_total_relation_size('fleet_summary'))")"
