#!/usr/bin/env bash
# Runs each fuzz target for FUZZ_SECONDS (default 60) and fails when any of them crashed, hung
# (FUZZ_TIMEOUT s on one input) or ran out of memory. `make fuzz` builds the harness first.
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS="http packets" Fuzz/run.sh
#
# Each target reads its committed seeds (Fuzz/Seeds/<target>) and seeds made from the
# third-party corpus in place (CORPUS_DIR, default ../shared/corpus); what it learns goes to
# Fuzz/.build/fuzz/corpus/<target> (kept between runs, so longer runs build on shorter ones),
# crash inputs to Fuzz/.build/fuzz/artifacts/, each target's output to Fuzz/.build/fuzz/logs/.
set -uo pipefail
cd "$(dirname "$0")"

BIN=${FUZZ_BIN:-.build/debug/conflictwatch-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TIMEOUT=${FUZZ_TIMEOUT:-10}
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
CORPUS_DIR=${CORPUS_DIR:-../../shared/corpus}
WORK=${FUZZ_WORK:-.build/fuzz}

[ -x "$BIN" ] || { echo "fuzz: $BIN is missing; run 'make fuzz' (it builds it)" >&2; exit 2; }
TARGETS=${FUZZ_TARGETS:-$("$BIN" list)}

mkdir -p "$WORK/artifacts" "$WORK/logs" "$WORK/status"
rm -rf "$WORK/corpus-seeds" "$WORK/status"/*
python3 seeds.py "$CORPUS_DIR" "$WORK/corpus-seeds"

run_target() {
    local t=$1 log="$WORK/logs/$1.log"
    local dirs=("$WORK/corpus/$t")
    mkdir -p "$WORK/corpus/$t"
    [ -d "Seeds/$t" ] && dirs+=("Seeds/$t")
    [ -d "$WORK/corpus-seeds/$t" ] && dirs+=("$WORK/corpus-seeds/$t")
    # The Swift backtracer and AddressSanitizer both want the crash signal; libFuzzer's own
    # handler must get it to write the crash input.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
        "$BIN" "$t" -max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT" -rss_limit_mb=2048 \
        -artifact_prefix="$WORK/artifacts/$t-" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1
    echo $? >"$WORK/status/$t"
}

running=0
for t in $TARGETS; do
    run_target "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

failed=""
printf '%-14s %12s %10s %8s %8s  %s\n' target executions exec/s cov corpus result
for t in $TARGETS; do
    log="$WORK/logs/$t.log"
    rc=$(cat "$WORK/status/$t" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" = 0 ]; then result=ok; else result="FAILED (exit $rc)"; failed="$failed $t"; fi
    printf '%-14s %12s %10s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${corp:-?}" "$result"
done

for t in $failed; do
    log="$WORK/logs/$t.log"
    echo
    echo "== $t failed: $(grep -m1 -E 'ERROR: |Fatal error|Precondition failed|Assertion failed' "$log")"
    echo "the end of $log (shadow-memory dump left out):"
    grep -vE '^  0x|^Shadow byte|^  [A-Z][a-z].*: +[0-9a-f]' "$log" | tail -40
    artifact=$(sed -n "s/.*Test unit written to //p" "$log" | tail -1)
    if [ -n "$artifact" ]; then
        echo "reproduce: (cd Fuzz && SWIFT_BACKTRACE=enable=no $BIN $t $artifact)"
    fi
done
[ -z "$failed" ] || { echo; echo "fuzz: crashes in:$failed"; exit 1; }
