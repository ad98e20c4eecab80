#!/usr/bin/env bash
# conflictwatch capture benchmark (SPEC section 11): `analyze` throughput (packets/s) and peak RSS
# on a generated pcap of HTTP/1.1 API traffic, against tshark's HTTP dissection of the same
# page-cached file in the same run (when tshark is installed). Builds nothing.
#
#   CONFLICTWATCH_BIN=.build/release/conflictwatch bash Benchmarks/pcap_bench.sh
#
# Knobs (environment):
#   CONFLICTWATCH_BIN   binary to measure (default: <repo>/.build/release/conflictwatch)
#   BENCH_PACKETS       packets in the generated capture (default 360000; at least 300000 for the target)
#   BENCH_RUNS          timed runs of analyze after one untimed warm-up run; the median is reported (default 5)
#   BENCH_TSHARK_RUNS   timed runs of tshark (default 1; it is ~50x slower)
#   BENCH_DIR           work dir (default <repo>/.build/bench)
#   BENCH_INPUT=FILE    measure this existing capture instead of generating one
#   TSHARK              tshark binary (default: tshark from PATH)
#   BENCH_STRICT=1      exit 1 when a target (2,500,000 packets/s, 20x tshark) is missed
#   BENCH_RESULTS=FILE  also append every figure as KEY=VALUE lines to FILE (bench.sh reads them)
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
die() { echo "bench-pcap: error: $*" >&2; exit 1; }

bin=${CONFLICTWATCH_BIN:-$repo/.build/release/conflictwatch}
packets=${BENCH_PACKETS:-360000}
runs=${BENCH_RUNS:-5}
tshark_runs=${BENCH_TSHARK_RUNS:-1}
dir=${BENCH_DIR:-$repo/.build/bench}
tshark=${TSHARK:-$(command -v tshark || true)}
[[ -x $bin ]] || die "no conflictwatch binary at $bin (run 'make release' or set CONFLICTWATCH_BIN)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed for peak RSS (apt-get install time)"
mkdir -p "$dir"

if [[ -n ${BENCH_INPUT:-} ]]; then
  input=$BENCH_INPUT
  packets=$(tcpdump -r "$input" 2>/dev/null | wc -l || true)
else
  input=$dir/http-$packets.pcap
  if [[ ! -s $input ]]; then
    echo "bench-pcap: generating $input ($packets packets)" >&2
    python3 "$here/generate_pcap.py" --out "$input.tmp" --packets "$packets" >/dev/null
    mv "$input.tmp" "$input"
  fi
fi
size=$(stat -c %s "$input")
cat "$input" > /dev/null   # page cache

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
result() { [[ -z ${BENCH_RESULTS:-} ]] || printf '%s=%q\n' "$1" "$2" >>"$BENCH_RESULTS"; }

# analyze: one untimed warm-up run, then wall time (bash's EPOCHREALTIME around each run) and peak
# RSS (/usr/bin/time's %M); the JSON summary tells the packets read.
"$bin" analyze --quiet --format json "$input" > "$dir/analyze-pcap.json"
times=()
rss=()
for ((i = 0; i < runs; i++)); do
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$dir/time.txt" "$bin" analyze --quiet --format json "$input" > "$dir/analyze-pcap.json"
  t1=$EPOCHREALTIME
  t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  read -r m < "$dir/time.txt"
  times+=("$t")
  rss+=("$m")
done
t_ours=$(printf '%s\n' "${times[@]}" | median)
rss_kb=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
read_packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["lines"])' "$dir/analyze-pcap.json")
exchanges=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["exchanges"])' "$dir/analyze-pcap.json")
[[ $read_packets -gt 0 ]] || die "analyze read no packets from $input"
pps=$(awk -v p="$read_packets" -v t="$t_ours" 'BEGIN {printf "%.0f", (t > 0 ? p / t : 0)}')

t_tshark=""
if [[ -n $tshark && -x $tshark ]]; then
  ts=()
  for ((i = 0; i < tshark_runs; i++)); do
    /usr/bin/time -f '%e %M' -o "$dir/time.txt" "$tshark" -r "$input" -Y http -T fields -e http.request.method -e http.response.code > "$dir/tshark.txt" 2>/dev/null
    read -r t _ < "$dir/time.txt"
    ts+=("$t")
  done
  t_tshark=$(printf '%s\n' "${ts[@]}" | median)
else
  echo "tshark: not installed, comparison skipped."
  echo "  Install it to get the ratio (Debian/Ubuntu): sudo apt-get install tshark"
fi

echo
echo "| tool | input | runs | time (s, median) | packets/s | peak RSS |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '| conflictwatch analyze | %s packets, %s MB, %s exchanges | %s | %s | %s | %s MiB |\n' \
  "$read_packets" "$((size / 1000000))" "$exchanges" "$runs" "$t_ours" "$pps" "$((rss_kb / 1024))"
ratio="n/a"
if [[ -n $t_tshark ]]; then
  tpps=$(awk -v p="$read_packets" -v t="$t_tshark" 'BEGIN {printf "%.0f", (t > 0 ? p / t : 0)}')
  ratio=$(awk -v a="$t_tshark" -v b="$t_ours" 'BEGIN {printf "%.1f", (b > 0 ? a / b : 0)}')
  printf '| tshark -Y http (%s) | same file | %s | %s | %s | - |\n' "$("$tshark" --version 2>/dev/null | head -1 | awk '{print $3}')" "$tshark_runs" "$t_tshark" "$tpps"
fi
echo
tshark_part="${ratio}x tshark (target 20x)"
[[ $ratio == n/a ]] && tshark_part="tshark not installed (target 20x)"
echo "bench-pcap: $read_packets packets in ${t_ours} s = $pps packets/s (target 2500000), peak RSS $((rss_kb / 1024)) MiB, $tshark_part"
result pcap_file "$input"
result pcap_packets "$read_packets"
result pcap_exchanges "$exchanges"
result pcap_mb "$((size / 1000000))"
result pcap_runs "$runs"
result pcap_secs "$t_ours"
result pcap_rate "$pps"
result pcap_rss_kb "$rss_kb"
if [[ -n $t_tshark ]]; then
  result tshark_secs "$t_tshark"
  result tshark_ratio "$ratio"
fi

if [[ ${BENCH_STRICT:-0} == 1 ]]; then
  (( pps >= 2500000 )) || die "below 2,500,000 packets/s"
  if [[ $ratio != n/a ]]; then awk -v r="$ratio" 'BEGIN {exit !(r >= 20)}' || die "below 20x tshark"; fi
fi
