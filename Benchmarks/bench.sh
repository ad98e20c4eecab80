#!/usr/bin/env bash
# conflictwatch benchmark, everything in one run (what `make bench` runs after the release build):
#   1. Benchmarks/run.sh        analyze lines/s on the same traffic as nginx combined, JSON lines and
#                               a custom log_format; wc -l and the C floor (Benchmarks/floor.c) on
#                               the combined file; GoAccess when installed; peak RSS of analyze on
#                               the big log and on a one-line file (and the opt-in memory run)
#   2. Benchmarks/pcap_bench.sh analyze packets/s on a generated capture; tshark when installed
#   3. Benchmarks/daemon_bench.sh  tail: idle RSS, lines/s into the store, one line's lag, SIGTERM
# then one markdown summary table of every figure beside the SPEC section 11 targets, met or missed,
# printed and written to $BENCH_DIR/summary.md. Builds nothing but the C floor.
#
#   make bench
#   CONFLICTWATCH_BIN=.build/release/conflictwatch bash Benchmarks/bench.sh
#   BENCH_QUICK=1 CONFLICTWATCH_BIN=... bash Benchmarks/bench.sh      # smoke test, small inputs
#
# Knobs: every knob of the three scripts (see Benchmarks/README.md), passed through, except:
#   BENCH_INPUT=FILE       an existing combined log for run.sh and daemon_bench.sh (not for the pcap)
#   BENCH_PCAP_INPUT=FILE  an existing capture for pcap_bench.sh (its BENCH_INPUT)
#   BENCH_PACKETS          packets in the generated capture (default 360000; 60000 with BENCH_QUICK=1)
#   BENCH_DIR              work dir (default <repo>/.build/bench); the daemon works in BENCH_DIR/daemon
#   BENCH_STRICT=1         exit 1 when a target is missed, a check run warned, or a part failed
set -uo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
die() { echo "bench: error: $*" >&2; exit 1; }

bin=${CONFLICTWATCH_BIN:-$repo/.build/release/conflictwatch}
[[ -x $bin ]] || die "conflictwatch binary not found or not executable: $bin (run 'make bench', or set CONFLICTWATCH_BIN)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
workdir=${BENCH_DIR:-$repo/.build/bench}
mkdir -p "$workdir" || die "cannot create $workdir"
workdir=$(cd "$workdir" && pwd)
quick=${BENCH_QUICK:-0}
strict=${BENCH_STRICT:-0}
memory=${BENCH_MEMORY:-0}
packets=${BENCH_PACKETS:-}
[[ -n $packets ]] || { if [[ $quick == 1 ]]; then packets=60000; else packets=360000; fi; }
results="$workdir/results.env"
summary="$workdir/summary.md"
: >"$results"
rm -f "$summary"

t_start=$EPOCHREALTIME
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# ---- the three parts (each reports only; the verdict is taken below) ------------------------------
export CONFLICTWATCH_BIN=$bin BENCH_RESULTS=$results
echo "# bench 1/3: logs (Benchmarks/run.sh)"
echo
BENCH_STRICT=0 BENCH_DIR=$workdir bash "$here/run.sh"
rc_logs=$?
# shellcheck disable=SC1090
source "$results"
echo
echo "# bench 2/3: capture (Benchmarks/pcap_bench.sh)"
if [[ -n ${BENCH_PCAP_INPUT:-} ]]; then
  BENCH_STRICT=0 BENCH_DIR=$workdir BENCH_PACKETS=$packets BENCH_INPUT=$BENCH_PCAP_INPUT bash "$here/pcap_bench.sh"
else
  env -u BENCH_INPUT BENCH_STRICT=0 BENCH_DIR="$workdir" BENCH_PACKETS="$packets" bash "$here/pcap_bench.sh"
fi
rc_pcap=$?
echo
echo "# bench 3/3: daemon (Benchmarks/daemon_bench.sh)"
# the combined log run.sh measured (page-cached), so the daemon ingests the same traffic
if [[ -n ${log_file:-} ]]; then
  BENCH_STRICT=0 BENCH_DIR=$workdir/daemon BENCH_INPUT=$log_file bash "$here/daemon_bench.sh"
else
  BENCH_STRICT=0 BENCH_DIR=$workdir/daemon bash "$here/daemon_bench.sh"
fi
rc_daemon=$?
echo
# shellcheck disable=SC1090
source "$results"
t_end=$EPOCHREALTIME
wall=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.0f", b - a }')

# ---- summary ---------------------------------------------------------------------------------------
commas() { echo "$1" | sed -e ':a' -e 's/^\([0-9]\{1,\}\)\([0-9]\{3\}\)/\1,\2/;ta'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
calc() { awk "BEGIN { $1 }"; }   # calc 'printf "%.2f", 1/3'
met() {   # met CONDITION (an awk expression) -> met / **missed**
  if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi
}
not_measured() { echo "not measured"; }
rows=()
add() { rows+=("| $1 | $2 | $3 | $4 |"); }   # what, figure, target, status

n=${log_lines:-0}
runs_n=${runs:-?}
failed_part() { echo "not measured: $1 failed (exit $2), see its output above"; }

if [[ $rc_logs == 0 && -n ${combined_rate:-} ]]; then
  add "\`analyze\` nginx combined, median of $runs_n" \
    "**$(commas "$combined_rate") lines/s** ($(calc "printf \"%.3f\", $combined_secs") s, $(commas "$n") lines, ${combined_mib} MiB)" \
    "≥ 4,000,000 lines/s" "$(met "$combined_rate >= 4000000")"
  if [[ -n ${floor_secs:-} ]]; then
    add "\`analyze\` combined ÷ C floor (time)" \
      "**$(calc "printf \"%.2f\", $combined_secs / $floor_secs")×** (C floor: $(commas "$floor_rate") lines/s, $(calc "printf \"%.3f\", $floor_secs") s, ${floor_routes} crude routes)" \
      "≤ 2.3×" "$(met "$combined_secs / $floor_secs <= 2.3")"
  else
    add "\`analyze\` combined ÷ C floor (time)" "${floor_note:-C floor not run}" "≤ 2.3×" "$(not_measured)"
  fi
  add "\`analyze\` combined ÷ \`wc -l\` (time)" \
    "$(calc "printf \"%.1f\", $combined_secs / $wc_secs")× (\`wc -l\`: $(commas "$wc_rate") lines/s, $(calc "printf \"%.3f\", $wc_secs") s)" \
    "—" "reference"
  for fmt in json custom; do
    rate_var="${fmt}_rate" secs_var="${fmt}_secs" mib_var="${fmt}_mib"
    label="JSON lines (nginx \`escape=json\`)"
    [[ $fmt == custom ]] && label="custom \`log_format\` (nginx \`main\`)"
    if [[ -n ${!rate_var:-} ]]; then
      add "\`analyze\` $label, median of $runs_n" \
        "$(commas "${!rate_var}") lines/s = **$(calc "printf \"%.2f\", ${!rate_var} / $combined_rate")× combined's** ($(calc "printf \"%.3f\", ${!secs_var}") s, ${!mib_var} MiB)" \
        "within 1.5× of combined (≥ 0.67×)" "$(met "${!rate_var} * 1.5 >= $combined_rate")"
    else
      add "\`analyze\` $label" "skipped: BENCH_INPUT has no $fmt variant" "within 1.5× of combined" "$(not_measured)"
    fi
  done
  if [[ -n ${ga_rate:-} ]]; then
    add "\`analyze\` vs GoAccess ($ga_version), same ${log_mib} MiB / $(commas "$n")-line log" \
      "$(calc "printf \"%.1f\", $combined_rate / $ga_rate")× (GoAccess $(commas "$ga_rate") lines/s)" "≥ 25×" "$(met "$combined_rate / $ga_rate >= 25")"
  else
    add "\`analyze\` vs GoAccess" "skipped: not installed (\`sudo apt-get install goaccess\`); it would read the same ${log_mib} MiB, $(commas "$n")-line log (it slows down more than linearly with size)" "≥ 25×" "$(not_measured)"
  fi
  others=""
  [[ -n ${json_rss_kb:-} ]] && others+=", JSON $(mib "$json_rss_kb")"
  [[ -n ${custom_rss_kb:-} ]] && others+=", custom $(mib "$custom_rss_kb")"
  add "peak RSS, \`analyze\` on the big log" \
    "$(mib "$combined_rss_kb") MiB (combined$others) on $(commas "$n") lines" "—" "figure"
  add "peak RSS, \`analyze\` of a one-line file" "**$(mib "$small_rss_kb") MiB**" "≤ 40 MiB" "$(met "$small_rss_kb <= 40 * 1024")"
  if [[ -n ${mem_rss_kb:-} ]]; then
    add "peak RSS, \`analyze\` memory run" "**$(mib "$mem_rss_kb") MiB** on $(commas "$mem_lines") lines / $(commas "$mem_resources") resources ($(commas "$mem_rate") lines/s)" \
      "≤ 150 MiB at 10 M lines / 2 M resources" "$(met "$mem_rss_kb <= 150 * 1024")"
  else
    add "peak RSS, \`analyze\` memory run" "not run (opt-in: BENCH_MEMORY=1)" "≤ 150 MiB at 10 M lines / 2 M resources" "$(not_measured)"
  fi
else
  add "\`analyze\` (logs)" "$(failed_part run.sh "$rc_logs")" "≥ 4,000,000 lines/s, ≤ 2.3× C floor, …" "$(not_measured)"
fi

if [[ $rc_pcap == 0 && -n ${pcap_rate:-} ]]; then
  add "\`analyze\` pcap, median of ${pcap_runs}" "**$(commas "$pcap_rate") packets/s** ($pcap_secs s, $(commas "$pcap_packets") packets, $(commas "$pcap_exchanges") exchanges, $pcap_mb MB; peak RSS $(mib "$pcap_rss_kb") MiB)" \
    "≥ 2,500,000 packets/s" "$(met "$pcap_rate >= 2500000")"
  if [[ -n ${tshark_ratio:-} ]]; then
    add "\`analyze\` pcap vs tshark" "${tshark_ratio}× (tshark $tshark_secs s)" "≥ 20×" "$(met "$tshark_ratio >= 20")"
  else
    add "\`analyze\` pcap vs tshark" "skipped: not installed (\`sudo apt-get install tshark\`)" "≥ 20×" "$(not_measured)"
  fi
else
  add "\`analyze\` pcap" "$(failed_part pcap_bench.sh "$rc_pcap")" "≥ 2,500,000 packets/s" "$(not_measured)"
fi

if [[ $rc_daemon == 0 && -n ${daemon_rate:-} ]]; then
  note=""
  [[ $daemon_stored -lt $daemon_lines ]] && note=", only $(commas "$daemon_stored") of $(commas "$daemon_lines") stored"
  add "\`tail\` into the store" "**$(commas "$daemon_rate") lines/s** ($(commas "$daemon_lines") lines appended at once, all in the store after $daemon_secs s$note; polled with \`$daemon_query\` every $daemon_poll s)" \
    "≥ 1,500,000 lines/s" "$(met "$daemon_rate >= 1500000 && $daemon_stored >= $daemon_lines")"
  add "\`tail\`: one appended line queryable" "$daemon_lag s (includes one \`${daemon_lag_query:-$daemon_query}\`)" "≤ 1 s" "$(met "$daemon_lag <= 1 && $daemon_lag_seen == 1")"
  add "\`tail\`: SIGTERM to exit" "$daemon_exit_secs s, exit $daemon_exit_rc" "≤ 5 s, exit 0" "$(met "$daemon_exit_secs <= 5 && $daemon_exit_rc == 0")"
  add "RSS, idle \`tail\` daemon" "**$(mib "$idle_rss_kb") MiB** (VmRSS after ${idle_secs} s on an empty file)" "≤ 40 MiB" "$(met "$idle_rss_kb <= 40 * 1024")"
else
  add "\`tail\` daemon" "$(failed_part daemon_bench.sh "$rc_daemon")" "≥ 1,500,000 lines/s, ≤ 40 MiB idle" "$(not_measured)"
fi

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  commit+=" (+ uncommitted changes)"
fi
cpu=$(grep -m1 -E '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
{
  echo "Benchmark of $started, commit $commit, \`nproc\` $(nproc)${cpu:+ ($cpu)}; \`make bench\` (Benchmarks/bench.sh), wall time ${wall} s; binary \`$bin\`."
  [[ $quick == 1 ]] && echo "BENCH_QUICK=1: a smoke test on small inputs; the targets are meant for the full run."
  echo
  echo "| measure | figure | target (SPEC §11) | status |"
  echo "| --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} >"$summary"
echo "# summary (also in $summary)"
echo
cat "$summary"
echo
missed=0 unmeasured=0
for r in "${rows[@]}"; do
  [[ $r == *'| **missed** |' ]] && missed=1
  [[ $r == *'| not measured |' ]] && unmeasured=1
done
[[ ${check_warn:-0} == 1 ]] && missed=1
failed=0
[[ $rc_logs == 0 && $rc_pcap == 0 && $rc_daemon == 0 ]] || failed=1
verdict="every measured target met"
[[ $missed == 1 ]] && verdict="targets missed"
[[ ${check_warn:-0} == 1 ]] && verdict+="; a check run warned (see above)"
[[ $failed == 1 ]] && verdict+="; a part failed (exit codes: logs $rc_logs, pcap $rc_pcap, daemon $rc_daemon)"
[[ $unmeasured == 1 ]] && verdict+="; some not measured"
echo "bench: $verdict; wall time ${wall} s"

if [[ $strict == 1 && ( $missed == 1 || $failed == 1 ) ]]; then
  exit 1
fi
# without BENCH_STRICT a missed target only reports, but a part that failed is an error
[[ $failed == 0 ]] || exit 1
exit 0
