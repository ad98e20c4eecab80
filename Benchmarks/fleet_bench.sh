#!/usr/bin/env bash
# conflictwatch fleet benchmark (SPEC section 11, docs/fleet.md): what shipping costs an agent, and
# how many lines per second a fleet of agents and its aggregator take in on one PostgreSQL.
#
# 1. One agent, shipping off and on, alternating (BENCH_ROUNDS each): `tail --listen` on an empty
#    file, a generated combined log appended in one go, timed until the agent's own store (its
#    query API) counts every line — the agent's ingest rate. With shipping on, the same daemon
#    also fills its outbox and ships it to PostgreSQL, twice: as one of a fleet's followers (the
#    bench holds the aggregator's advisory lock, as the leader would: what shipping costs an
#    agent, the issue's measure) and leading the aggregator itself (alone, it leads: the fleet's
#    model then runs on the same two cores as the agent's ingest).
# 2. A fleet: BENCH_AGENTS agent processes on one PostgreSQL, each following its own empty file;
#    the log dealt round-robin over the files (a load balancer's view), appended to all at once;
#    timed until every summary is in PostgreSQL (the agents' rate) and until the fleet's routes
#    count every line (through the aggregator: the fleet's rate). Both are polled through one
#    psql session kept open (the sum `routes` shows, as SQL): a `conflictwatch routes` process
#    every 0.2 s took 12 % of this 2-core machine's samples away from the fleet it measured.
#    Then three small appends, 2 s apart (1,000 lines on every agent): how long the fleet's
#    results take to show them once it has caught up.
# 3. The aggregator alone: the same agents ship the same log while the bench holds the
#    aggregator's lock; then it lets go, and one agent works through the whole backlog with the
#    others idle: the aggregator's own CPU per line, apart from the agents' and PostgreSQL's.
# 4. Only with BENCH_STEADY=seconds (BENCH_STEADY_ONLY=1: this part alone): the fleet fed
#    steadily, a log of that many seconds at BENCH_STEADY_RATE lines/s (default 1000000)
#    appended to the agents' files in step with the wall clock (feed_log.py): whether the fleet
#    keeps up, and its CPU against the cores'.
#
#   CONFLICTWATCH_BIN=.build/release/conflictwatch bash Benchmarks/fleet_bench.sh
#   BENCH_STEADY=12 BENCH_STEADY_ONLY=1 CONFLICTWATCH_BIN=.build/release/conflictwatch bash Benchmarks/fleet_bench.sh
#
# PostgreSQL: CONFLICTWATCH_TEST_DATABASE_URL (a database the bench may create databases on), else
# a throwaway server from scripts/with_postgres.sh (as `make test` uses). Its CPU is that of every
# `postgres` process on the machine.
# Knobs: BENCH_LINES (default 2000000), BENCH_AGENTS (default 8), BENCH_ROUNDS (default 2),
#        BENCH_DIR (default <repo>/.build/bench-fleet), BENCH_SPAN (default 86400: the log's
#        traffic-time span in seconds). The default log is a day of traffic replayed in seconds:
#        every agent then does a day's per-bucket and per-minute work (rollups, bucket rows, model
#        ticks) within the run. Traffic that arrives live at the rate measured spans
#        lines / rate seconds: BENCH_SPAN=2 for 2 M lines at 1 M lines/s.
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
span=${BENCH_SPAN:-86400}
[[ $span =~ ^[1-9][0-9]*$ ]] || { echo "fleet bench: BENCH_SPAN must be a whole number of seconds, got '$span'" >&2; exit 1; }
steady=${BENCH_STEADY:-0}
[[ $steady =~ ^[0-9]+$ ]] || { echo "fleet bench: BENCH_STEADY must be a whole number of seconds, got '$steady'" >&2; exit 1; }
steady_rate=${BENCH_STEADY_RATE:-1000000}
[[ $steady_rate =~ ^[1-9][0-9]*$ ]] || { echo "fleet bench: BENCH_STEADY_RATE must be a whole number of lines/s, got '$steady_rate'" >&2; exit 1; }
[[ ${BENCH_STEADY_ONLY:-0} != 1 ]] || (( steady > 0 )) || {
  echo "fleet bench: BENCH_STEADY_ONLY=1 runs part 4 alone, which needs BENCH_STEADY=seconds (e.g. 12)" >&2; exit 1; }
input=$work/input-$lines.log
[[ $span == 86400 ]] || input=$work/input-$lines-span$span.log
if [[ ${BENCH_STEADY_ONLY:-0} != 1 ]]; then
  [[ -s $input ]] || python3 "$here/generate_log.py" --lines "$lines" --span "$span" --out "$input" --quiet
  lines=$(wc -l < "$input")
  cat "$input" > /dev/null
fi

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
# CPU time (user + system, clock ticks) of the processes given: a figure the host's noise moves far
# less than a wall-clock time on these two shared cores.
ticks() { local p t=0 f; for p in "$@"; do f=$(cat "/proc/$p/stat" 2>/dev/null) || continue; f=${f##*) }; set -- $f; t=$(( t + ${12} + ${13} )); done; echo "$t"; }
hz=$(getconf CLK_TCK)

# BENCH_STEADY_ONLY=1 runs part 4 alone.
if [[ ${BENCH_STEADY_ONLY:-0} != 1 ]]; then
# ---- 1. one agent, shipping off / on -----------------------------------------------------------
one_agent() {  # $1 = off|follow|lead; prints the seconds until the agent's store counted every line,
  # and the CPU seconds the agent and PostgreSQL spent meanwhile
  local mode=$1 dir=$work/one-$1 port url db=() t0 n=0 dburl c0 p0
  rm -rf "$dir"; mkdir -p "$dir"; : > "$dir/access.log"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url="http://127.0.0.1:$port"
  if [[ $mode != off ]]; then dburl=$(fresh_db one); db=(--database-url "$dburl" --agent bench); fi
  if [[ $mode == follow ]]; then
    # The aggregator role's lock (FleetDatabase.aggregatorLock), held by this session for the run.
    coproc HOLD { psql "$dburl" -qAt; }
    echo "SELECT pg_advisory_lock(27997304483308916);" >&"${HOLD[1]}"
    read -r -t 30 -u "${HOLD[0]}" _ || { echo "fleet bench: could not take the aggregator's lock" >&2; exit 1; }
  fi
  "$bin" tail --state-dir "$dir/state" --log-format combined --listen "127.0.0.1:$port" "${db[@]}" "$dir/access.log" > /dev/null 2> "$dir/daemon.log" &
  local pid=$!
  wait_following "$dir/daemon.log"
  for _ in $(seq 1 100); do curl -sf "$url/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
  c0=$(ticks "$pid"); p0=$(ticks $(pgrep -x postgres))
  t0=$EPOCHREALTIME
  cat "$input" >> "$dir/access.log"
  local deadline=$(( ${EPOCHREALTIME%.*} + 300 ))
  while (( n < lines && ${EPOCHREALTIME%.*} < deadline )); do
    # What the agent itself has stored: every exchange accounted and nothing waiting for a
    # commit (its /api/v1/routes shows the fleet's routes once it has a database).
    n=$(curl -sf "$url/metrics" 2>/dev/null | awk '$1 == "conflictwatch_exchanges_total" { n = $2 } $1 == "conflictwatch_lag_seconds" { lag = $2 } END { print (lag == 0 ? n + 0 : 0) }')
    (( n >= lines )) || sleep 0.05
  done
  local secs c1 p1; secs=$(elapsed "$t0"); c1=$(ticks "$pid"); p1=$(ticks $(pgrep -x postgres))
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  [[ $mode == follow ]] && { kill "$HOLD_PID" 2>/dev/null || true; }
  (( n >= lines )) || echo "fleet: WARNING: one agent ($mode) stored $n of $lines lines within 300 s" >&2
  awk -v s="$secs" -v c=$(( c1 - c0 )) -v p=$(( p1 - p0 )) -v hz="$hz" 'BEGIN { printf "%s %.2f %.2f\n", s, c / hz, p / hz }'
}
# Per mode, space-separated lists of each round's figures.
declare -A wall=() cpu=() pgcpu=()
for r in $(seq 1 "$rounds"); do
  for mode in off follow lead; do
    read -r secs c p < <(one_agent "$mode")
    wall[$mode]+="$secs "; cpu[$mode]+="$c "; pgcpu[$mode]+="$p "
  done
done
# shellcheck disable=SC2206 # the lists are space-separated numbers
off=(${wall[off]}) follow=(${wall[follow]}) lead=(${wall[lead]})
rate() { awk -v n="$lines" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }
best() { printf '%s\n' "$@" | sort -n | head -1; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
show() { printf 'fleet: one agent, %s lines, %-28s %s s best, %s s median (%s lines/s best of %s: %s)\n' "$lines" "$1" "$(best "${@:2}")" "$(median "${@:2}")" "$(rate "$(best "${@:2}")")" "$rounds" "${*:2}"; }
show "shipping off:" "${off[@]}"
show "shipping on, a follower:" "${follow[@]}"
show "shipping on, leading:" "${lead[@]}"
for mode in off follow lead; do
  # shellcheck disable=SC2086 # the lists are space-separated numbers
  printf 'fleet: one agent, %-6s CPU while ingesting: the agent %s s median (%s), PostgreSQL %s s median (%s)\n' "$mode" \
    "$(median ${cpu[$mode]})" "${cpu[$mode]% }" "$(median ${pgcpu[$mode]})" "${pgcpu[$mode]% }"
done
cost() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", (1 - a / b) * 100 }'; }
printf 'fleet: shipping on costs a following agent %s of its ingest rate, best of each (target <= 20 %%); %s of the medians\n' "$(cost "$(best "${off[@]}")" "$(best "${follow[@]}")")" "$(cost "$(median "${off[@]}")" "$(median "${follow[@]}")")"
printf 'fleet: shipping on and leading the aggregator alone: %s best of each; %s of the medians\n' "$(cost "$(best "${off[@]}")" "$(best "${lead[@]}")")" "$(cost "$(median "${off[@]}")" "$(median "${lead[@]}")")"
# Each round's off and follow ran a few seconds apart: their ratio moves far less with this
# host's minute-to-minute speed than either median does.
paired() { local i out=(); for i in "${!off[@]}"; do out+=("$(awk -v a="${off[$i]}" -v b="${follow[$i]}" 'BEGIN { printf "%.1f", (1 - a / b) * 100 }')"); done; printf '%s %% median (rounds: %s)' "$(median "${out[@]}")" "${out[*]}"; }
printf 'fleet: shipping on costs a following agent, round by round: %s\n' "$(paired)"

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
# One psql session for every poll: the queries cost PostgreSQL a few milliseconds, not a process.
coproc POLL { psql "$url" -qAt; }
ask() { echo "$1" >&"${POLL[1]}"; read -r -t 30 -u "${POLL[0]}" REPLY || REPLY=0; }
# The last seconds of traffic wait for the quietest agent's clock, which moves on with the wall
# clock once its source has been idle a bucket (SPEC §8): a latency of the end of the input, not
# a rate. So the fleet's rate is taken at 95 % of the lines, and the time to 100 % shown beside it.
deadline=$(( ${EPOCHREALTIME%.*} + 600 ))
while (( ${EPOCHREALTIME%.*} < deadline )); do
  if [[ -z $shipped_secs ]]; then
    ask "SELECT coalesce(sum(records), 0) FROM fleet_summary;"
    (( REPLY >= lines )) && shipped_secs=$(elapsed "$t0")
  fi
  # What `routes --database-url` sums (FleetDatabase.routes): the aggregator's committed minutes.
  ask "SELECT coalesce(sum(requests), 0) FROM fleet_route_rollup;"
  counted=$REPLY
  [[ -z $t95 ]] && (( counted * 100 >= lines * 95 )) && t95=$(elapsed "$t0")
  (( counted >= lines )) && break
  sleep 0.1
done
fleet_secs=$(elapsed "$t0")
# How fresh the fleet's results are once it has caught up: three times, 2 s apart, every agent
# gets 1,000 more lines (the first of its share again: already behind the watermark, so nothing
# waits for a clock), timed until the fleet's routes count them — the agents' commits, the
# shipping, the aggregator's look and its commit, end to end.
fresh=()
if (( counted >= lines )); then
  for round in 1 2 3; do
    sleep 2
    for i in $(seq 0 $((agents - 1))); do head -n 1000 "$dir/share$i.log" > "$dir/small$i.log"; done
    target=$(( lines + round * agents * 1000 ))
    t1=$EPOCHREALTIME
    for i in $(seq 0 $((agents - 1))); do cat "$dir/small$i.log" >> "$dir/host$i.log"; done
    while (( ${EPOCHREALTIME%.*} < deadline )); do
      ask "SELECT coalesce(sum(requests), 0) FROM fleet_route_rollup;"
      (( REPLY >= target )) && break
      sleep 0.02
    done
    fresh+=("$(elapsed "$t1")")
  done
fi
leader=$(psql "$url" -qAt -c "SELECT holder FROM fleet_state" 2>/dev/null || true)
kill "$POLL_PID" 2>/dev/null || true
wait "${POLL_PID:-}" 2>/dev/null || true
printf 'fleet: %s agents on %s lines (%s s of traffic) dealt round-robin: all shipped to PostgreSQL in %s s (%s lines/s)\n' "$agents" "$lines" "$span" "${shipped_secs:-?}" "$([[ -n $shipped_secs ]] && rate "$shipped_secs" || echo ?)"
printf 'fleet: the aggregator (%s) counted 95 %% of the lines in %s s: %s lines/s (target >= 1000000); all %s of %s in %s s\n' \
  "$leader" "${t95:-?}" "$([[ -n $t95 ]] && awk -v n="$lines" -v s="$t95" 'BEGIN { printf "%.0f", 0.95 * n / s }' || echo ?)" "$counted" "$lines" "$fleet_secs"
(( ${#fresh[@]} )) && printf 'fleet: then %s more lines on every agent, counted by the fleet after %s s (three rounds, 2 s apart)\n' 1000 "${fresh[*]}"
printf 'fleet: PostgreSQL holds %s for the summaries\n' "$(psql "$url" -qAt -c "SELECT pg_size_pretty(pg_total_relation_size('fleet_summary'))")"

# ---- 3. the aggregator alone ------------------------------------------------------------------
# The same agents ship the same log while this bench holds the aggregator's lock (so none
# leads); once every summary is in PostgreSQL the lock is let go, one agent takes the role and
# works through the whole backlog with the others idle: the aggregator's own rate and CPU,
# which part 2 mixes with eight agents' and PostgreSQL's on the same cores. The time moves by
# whole commits (the rollups become visible once a second); the CPU seconds are the measure.
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait "${pids[@]}" 2>/dev/null || true
pids=()
dir=$work/alone
rm -rf "$dir"; mkdir -p "$dir"
url=$(fresh_db alone)
# The lock's session reads a FIFO this shell keeps open (the agents inherit the descriptor, so
# the session is ended by killing it, not by closing the FIFO).
mkfifo "$dir/lock.in"
psql "$url" -qAt < "$dir/lock.in" > "$dir/lock.out" &
hold=$!
exec {lockfd}> "$dir/lock.in"
echo "SELECT pg_advisory_lock(27997304483308916);" >&"$lockfd"
for _ in $(seq 1 300); do [[ -s $dir/lock.out ]] && break; sleep 0.1; done
[[ -s $dir/lock.out ]] || { echo "fleet bench: could not take the aggregator's lock" >&2; exit 1; }
for i in $(seq 0 $((agents - 1))); do
  : > "$dir/host$i.log"
  "$bin" tail --state-dir "$dir/state$i" --log-format combined --database-url "$url" --agent "web$i" "$dir/host$i.log" > /dev/null 2> "$dir/agent$i.log" &
  pids+=($!)
done
for i in $(seq 0 $((agents - 1))); do wait_following "$dir/agent$i.log"; done
appends=()
for i in $(seq 0 $((agents - 1))); do cat "$work/fleet/share$i.log" >> "$dir/host$i.log" & appends+=($!); done
wait "${appends[@]}"
coproc POLL { psql "$url" -qAt; }
deadline=$(( ${EPOCHREALTIME%.*} + 600 ))
until ask "SELECT coalesce(sum(records), 0) FROM fleet_summary;"; (( REPLY >= lines || ${EPOCHREALTIME%.*} >= deadline )); do sleep 0.1; done
sleep 2
declare -A before=()
for p in "${pids[@]}"; do before[$p]=$(ticks "$p"); done
p0=$(ticks $(pgrep -x postgres))
t0=$EPOCHREALTIME
kill "$hold" 2>/dev/null || true
exec {lockfd}>&-
counted=0; t95=""
while (( counted < lines && ${EPOCHREALTIME%.*} < deadline )); do
  ask "SELECT coalesce(sum(requests), 0) FROM fleet_route_rollup;"
  counted=$REPLY
  [[ -z $t95 ]] && (( counted * 100 >= lines * 95 )) && t95=$(elapsed "$t0")
  (( counted >= lines )) || sleep 0.05
done
alone_secs=$(elapsed "$t0")
lead_ticks=0
for p in "${pids[@]}"; do d=$(( $(ticks "$p") - ${before[$p]} )); (( d > lead_ticks )) && lead_ticks=$d; done
p1=$(ticks $(pgrep -x postgres))
kill "$POLL_PID" 2>/dev/null || true
# As in part 2, the last lines wait for the agents' clocks to move on with the wall clock.
printf 'fleet: the aggregator alone (%s), the backlog of %s lines: 95 %% counted in %s s, all %s in %s s, with %s s of its CPU (%s µs a line) and %s s of PostgreSQL'"'"'s\n' \
  "$(psql "$url" -qAt -c "SELECT holder FROM fleet_state")" "$lines" "${t95:-?}" "$counted" "$alone_secs" \
  "$(awk -v t="$lead_ticks" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')" \
  "$(awk -v t="$lead_ticks" -v hz="$hz" -v n="$lines" 'BEGIN { printf "%.2f", t / hz / n * 1e6 }')" \
  "$(awk -v t=$(( p1 - p0 )) -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }')"

fi

# ---- 4. the fleet fed steadily (BENCH_STEADY seconds; off by default) ---------------------------
# SPEC §11 asks that the fleet keep up with 1 M lines/s. Parts 2 and 3 append a backlog at once;
# here a log of BENCH_STEADY seconds at BENCH_STEADY_RATE lines/s (default 1000000) is dealt over
# the agents' files and appended in step with the wall clock (feed_log.py), as live traffic
# comes. Kept up: the agents' summaries stay about a commit behind the feed, and the fleet counts
# every line soon after the feed ends; the CPU of the agents and PostgreSQL is set beside what the
# machine's cores have in the feed's time (the feeder's own CPU, which it prints, comes out of
# the same cores).
(( steady > 0 )) || exit 0
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait "${pids[@]}" 2>/dev/null || true
pids=()
steady_lines=$(( steady * steady_rate ))
steady_input=$work/input-$steady_lines-span$steady.log
[[ -s $steady_input ]] || python3 "$here/generate_log.py" --lines "$steady_lines" --span "$steady" --out "$steady_input" --quiet
dir=$work/steady
rm -rf "$dir"; mkdir -p "$dir"
url=$(fresh_db steady)
awk -v n="$agents" -v d="$dir" '{ print > (d "/share" (NR - 1) % n ".log") }' "$steady_input"
cat "$dir"/share*.log > /dev/null
feeds=()
for i in $(seq 0 $((agents - 1))); do
  : > "$dir/host$i.log"
  feeds+=("$dir/share$i.log" "$dir/host$i.log")
  "$bin" tail --state-dir "$dir/state$i" --log-format combined --database-url "$url" --agent "web$i" "$dir/host$i.log" > /dev/null 2> "$dir/agent$i.log" &
  pids+=($!)
done
for i in $(seq 0 $((agents - 1))); do wait_following "$dir/agent$i.log"; done
sleep 1
a0=$(ticks "${pids[@]}"); p0=$(ticks $(pgrep -x postgres))
t0=$EPOCHREALTIME
python3 "$here/feed_log.py" "$steady" "${feeds[@]}" 2> "$dir/feed.log" &
feeder=$!
coproc POLL { psql "$url" -qAt; }
ask() { echo "$1" >&"${POLL[1]}"; read -r -t 30 -u "${POLL[0]}" REPLY || REPLY=0; }
deadline=$(( ${EPOCHREALTIME%.*} + steady + 600 ))
fed_secs=""; counted=0; behind=""; counted_at_end=""
while (( ${EPOCHREALTIME%.*} < deadline )); do
  ask "SELECT coalesce(sum(records), 0) FROM fleet_summary;"; shipped=$REPLY
  ask "SELECT coalesce(sum(requests), 0) FROM fleet_route_rollup;"; counted=$REPLY
  echo "$(elapsed "$t0") $shipped $counted" >> "$dir/polls"
  if [[ -z $fed_secs ]] && ! kill -0 "$feeder" 2>/dev/null; then
    fed_secs=$(elapsed "$t0"); behind=$(( steady_lines - shipped )); counted_at_end=$counted
    a1=$(ticks "${pids[@]}"); p1=$(ticks $(pgrep -x postgres))
  fi
  (( counted >= steady_lines )) && break
  sleep 0.5
done
all_secs=$(elapsed "$t0")
a2=$(ticks "${pids[@]}"); p2=$(ticks $(pgrep -x postgres))
kill "$POLL_PID" 2>/dev/null || true
wait "$feeder" 2>/dev/null || true
secs() { awk -v t="$1" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }'; }
printf 'fleet: fed steadily, %s lines over %s s (%s lines/s; %s): when the feed had ended (seen after %s s) the summaries were %s lines behind it and the fleet had counted %s; all %s of %s counted after %s s\n' \
  "$steady_lines" "$steady" "$steady_rate" "$(cat "$dir/feed.log")" "${fed_secs:-?}" "${behind:-?}" "${counted_at_end:-?}" "$counted" "$steady_lines" "$all_secs"
printf 'fleet: fed steadily, every poll (seconds since the feed began, lines in the summaries, lines counted) in %s\n' "$dir/polls"
printf 'fleet: fed steadily, CPU until every line was counted: %s s (agents %s, PostgreSQL %s), until the feed ended %s s, against %s s that %s cores have in %s s\n' \
  "$(secs $(( a2 - a0 + p2 - p0 )))" "$(secs $(( a2 - a0 )))" "$(secs $(( p2 - p0 )))" "$(secs $(( ${a1:-$a2} - a0 + ${p1:-$p2} - p0 )))" \
  "$(( steady * $(nproc) ))" "$(nproc)" "$steady"
