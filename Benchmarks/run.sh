#!/usr/bin/env bash
# conflictwatch benchmark (SPEC section 11): `analyze` throughput and peak RSS on an nginx combined
# log, against `wc -l` (a floor: reading the file and finding newlines) and GoAccess (when installed),
# all on the same page-cached file in the same run.
#
#   make bench                                  # release build, then this script
#   BENCH_QUICK=1 CONFLICTWATCH_BIN=... bash Benchmarks/run.sh   # 200,000-line smoke test
#
# Knobs (environment):
#   CONFLICTWATCH_BIN    binary to measure (default: <repo>/.build/release/conflictwatch)
#   BENCH_LINES          lines in the generated log (default 2000000; 200000 with BENCH_QUICK=1)
#   BENCH_RUNS           timed runs of analyze and wc -l; the median is reported (default 5)
#   BENCH_GOACCESS_RUNS  timed runs of goaccess (default 3; it is ~40x slower)
#   BENCH_DIR            work dir for the log and outputs (default <repo>/.build/bench)
#   BENCH_QUICK=1        smoke test: 200,000 lines
#   BENCH_SEED           generator seed (default 42)
#   BENCH_RESOURCES      distinct order ids in the log (default BENCH_LINES/40)
#   BENCH_INPUT=FILE     measure this existing combined log instead of generating one
#   BENCH_MEMORY=1       also run analyze once on a 10,000,000-line log with 2,000,000 distinct
#                        resources (generated once, ~1.8 GB, ~1 min) and check the 150 MiB target
#   GOACCESS             goaccess binary to compare against (default: goaccess from PATH)
#   BENCH_STRICT=1       exit 1 when a SPEC section 11 target is missed (default: report only)
set -euo pipefail
export LC_ALL=C   # '.' as decimal point in EPOCHREALTIME, printf and awk

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

die() { echo "bench: error: $*" >&2; exit 1; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

quick=${BENCH_QUICK:-0}
if [[ $quick == 1 ]]; then default_lines=200000; else default_lines=2000000; fi
lines=${BENCH_LINES:-$default_lines}
runs=${BENCH_RUNS:-5}
ga_runs=${BENCH_GOACCESS_RUNS:-3}
seed=${BENCH_SEED:-42}
is_uint "$lines" && (( lines > 0 )) || die "BENCH_LINES must be a positive integer (got '$lines')"
is_uint "$runs" && (( runs > 0 )) || die "BENCH_RUNS must be a positive integer (got '$runs')"
is_uint "$ga_runs" && (( ga_runs > 0 )) || die "BENCH_GOACCESS_RUNS must be a positive integer (got '$ga_runs')"
is_uint "$seed" || die "BENCH_SEED must be a non-negative integer (got '$seed')"
default_resources=$(( lines / 40 > 0 ? lines / 40 : 1 ))
resources=${BENCH_RESOURCES:-$default_resources}
is_uint "$resources" && (( resources > 0 )) || die "BENCH_RESOURCES must be a positive integer (got '$resources')"
workdir=${BENCH_DIR:-$repo/.build/bench}
bin=${CONFLICTWATCH_BIN:-$repo/.build/release/conflictwatch}
input=${BENCH_INPUT:-}
memory=${BENCH_MEMORY:-0}
strict=${BENCH_STRICT:-0}
goaccess_bin=${GOACCESS:-goaccess}

[[ -x $bin ]] || die "conflictwatch binary not found or not executable: $bin (run 'make bench', or set CONFLICTWATCH_BIN)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v python3 >/dev/null || die "python3 is needed to generate the log"
mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)

# ---- /usr/bin/time (GNU time, for peak RSS) ------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  sudo=""
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die "/usr/bin/time is missing and sudo is not available: install the Debian package 'time'"
    sudo=sudo
  fi
  echo "bench: /usr/bin/time is missing; installing the Debian package 'time' (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq time >/dev/null
  [[ -x /usr/bin/time ]] || die "installing 'time' did not provide /usr/bin/time"
fi

# ---- helpers -------------------------------------------------------------------------------------
# median of numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# 1234567 -> 1,234,567
commas() { echo "$1" | sed -e ':a' -e 's/^\([0-9]\{1,\}\)\([0-9]\{3\}\)/\1,\2/;ta'; }
human_rate() { awk -v r="$1" 'BEGIN { if (r >= 1e6) printf "%.2fM", r/1e6; else if (r >= 1e3) printf "%.1fk", r/1e3; else printf "%.0f", r }'; }
human_count() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%gM", n/1e6; else if (n >= 1e3) printf "%gk", n/1e3; else printf "%d", n }'; }
mib_of_file() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.0f", b/1048576 }'; }

# timed NAME RUNS OUTFILE CMD...   (stdout of CMD -> OUTFILE, stderr -> $workdir/NAME.stderr)
# sets T_MEDIAN (s), T_RSS_KB (max over runs), T_ALL (each run's seconds)
timed() {
  local name=$1 n=$2 outfile=$3; shift 3
  local i t0 t1 secs rss times=() rss_max=0 tv="$workdir/$name.time"
  for (( i = 1; i <= n; i++ )); do
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -v -o "$tv" "$@" >"$outfile" 2>"$workdir/$name.stderr" </dev/null; then
      echo "bench: '$*' failed (run $i of $n); last lines of its stderr:" >&2
      tail -n 20 "$workdir/$name.stderr" >&2 || true
      grep -E 'Command (exited|terminated)|Exit status' "$tv" >&2 || true
      exit 1
    fi
    t1=$EPOCHREALTIME
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
    rss=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$tv")
    [[ -n $rss ]] || rss=0
    (( rss > rss_max )) && rss_max=$rss
    times+=("$secs")
    printf '  %-10s run %d/%d: %8.3f s  peak RSS %7.1f MiB\n' "$name" "$i" "$n" "$secs" "$(awk -v k="$rss" 'BEGIN{print k/1024}')"
  done
  T_MEDIAN=$(median "${times[@]}")
  T_RSS_KB=$rss_max
  T_ALL="${times[*]}"
}

# gen_log LINES SEED RESOURCES -> prints the path of an up-to-date generated log (reused when the
# parameters and the generator are unchanged)
gen_log() {
  local n=$1 s=$2 r=$3
  local f="$workdir/access-$n-s$s-r$r.log"
  local stamp="lines=$n seed=$s resources=$r generator=$(sha256sum "$here/generate_log.py" | cut -c1-16)"
  if [[ -f $f && -f $f.params && "$(cat "$f.params")" == "$stamp" ]]; then
    GEN_NOTE="reused (generated earlier with the same parameters)"
  else
    rm -f "$f" "$f.params"
    local g0 g1
    g0=$EPOCHREALTIME
    python3 "$here/generate_log.py" --lines "$n" --seed "$s" --resources "$r" --out "$f" >&2
    g1=$EPOCHREALTIME
    echo "$stamp" >"$f.params"
    GEN_NOTE="generated now in $(awk -v a="$g0" -v b="$g1" 'BEGIN { printf "%.1f", b - a }') s"
  fi
  GEN_FILE=$f
}

# ---- machine -------------------------------------------------------------------------------------
cpu=$(grep -m1 -E '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
[[ -n $cpu ]] || cpu=$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ { print $2; exit }' || true)
[[ -n $cpu ]] || cpu=unknown
mem_total=$(awk '/^MemTotal/ { printf "%.1f GiB", $2/1048576 }' /proc/meminfo 2>/dev/null || echo unknown)
cw_version=$(timeout 10 "$bin" --version 2>/dev/null | head -n1 || true)
echo "## conflictwatch benchmark"
echo
echo "machine: $(nproc) CPUs ($cpu), $mem_total RAM, $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
echo "binary:  $bin${cw_version:+ ($cw_version)}"
[[ $quick == 1 ]] && echo "mode:    BENCH_QUICK=1 (smoke test; numbers on a small file are noisier and not the SPEC measurement)"

# ---- input ---------------------------------------------------------------------------------------
if [[ -n $input ]]; then
  [[ -f $input ]] || die "BENCH_INPUT is not a file: $input"
  log=$(cd "$(dirname "$input")" && pwd)/$(basename "$input")
  origin="given by BENCH_INPUT"
else
  gen_log "$lines" "$seed" "$resources"
  log=$GEN_FILE
  origin="Benchmarks/generate_log.py --lines $lines --seed $seed --resources $resources, $GEN_NOTE"
fi
cat "$log" >/dev/null   # page-cache input, as in SPEC section 11
nlines=$(wc -l <"$log" | tr -d ' ')
input_label="$(basename "$log") ($(mib_of_file "$log") MiB)"
echo "input:   $log"
echo "         $(commas "$nlines") lines, $(mib_of_file "$log") MiB; $origin"
echo

# ---- conflictwatch analyze -----------------------------------------------------------------------
# One untimed run first: warms up, and checks the tool really read the whole file.
echo "conflictwatch analyze --log-format combined --format json (check run, then $runs timed runs)"
check_json="$workdir/analyze.json"
if ! "$bin" analyze --log-format combined --format json "$log" >"$check_json" 2>"$workdir/analyze.check.stderr" </dev/null; then
  echo "bench: the check run of analyze failed; last lines of its stderr:" >&2
  tail -n 20 "$workdir/analyze.check.stderr" >&2 || true
  exit 1
fi
check_note=$(python3 - "$check_json" "$nlines" <<'EOF' || true
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
try:
    with open(path) as f:
        s = json.load(f).get("summary", {})
except Exception as e:
    print("WARNING: analyze --format json output is not a JSON document with a summary (%s)" % e)
    sys.exit(0)
parts = []
for k in ("lines", "exchanges", "malformed", "writes", "conflicts", "lines_per_second"):
    if k in s:
        parts.append("%s=%s" % (k, s[k]))
msg = "summary: " + (", ".join(parts) if parts else "(no summary fields)")
if s.get("lines") is not None and s.get("lines") != n:
    msg += "  WARNING: summary.lines != %d lines in the file" % n
if s.get("malformed"):
    msg += "  WARNING: %s malformed lines" % s["malformed"]
print(msg)
EOF
)
echo "  $check_note"
timed analyze "$runs" /dev/null "$bin" analyze --log-format combined --format json "$log"
cw_secs=$T_MEDIAN cw_rss=$T_RSS_KB
cw_rate=$(awk -v n="$nlines" -v t="$cw_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
echo

# ---- wc -l (floor) -------------------------------------------------------------------------------
echo "wc -l ($runs timed runs)"
timed wc "$runs" /dev/null wc -l "$log"
wc_secs=$T_MEDIAN wc_rss=$T_RSS_KB
wc_rate=$(awk -v n="$nlines" -v t="$wc_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
echo

# ---- goaccess --------------------------------------------------------------------------------------
ga_secs="" ga_rate="" ga_rss=""
if command -v "$goaccess_bin" >/dev/null 2>&1; then
  ga_version=$("$goaccess_bin" --version 2>/dev/null | head -n1 | sed -e 's/^GoAccess - /GoAccess /' -e 's/[. ]*$//')
  echo "goaccess FILE --log-format=COMBINED --no-global-config -o goaccess.json ($ga_version; $ga_runs timed runs)"
  ga_out="$workdir/goaccess.json"
  timed goaccess "$ga_runs" /dev/null "$goaccess_bin" "$log" --log-format=COMBINED --no-global-config -o "$ga_out"
  ga_secs=$T_MEDIAN ga_rss=$T_RSS_KB
  ga_rate=$(awk -v n="$nlines" -v t="$ga_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  ga_note=$(python3 - "$ga_out" <<'EOF' || true
import json, sys
try:
    g = json.load(open(sys.argv[1]))["general"]
    print("goaccess parsed: total_requests=%s valid=%s failed=%s" % (g.get("total_requests"), g.get("valid_requests"), g.get("failed_requests")))
except Exception as e:
    print("WARNING: could not read goaccess output (%s)" % e)
EOF
)
  echo "  $ga_note"
else
  echo "goaccess: not installed ($goaccess_bin not found), comparison skipped."
  echo "  Install it to get the ratio (Debian/Ubuntu): sudo apt-get install goaccess"
fi
echo

# ---- memory run (optional) ------------------------------------------------------------------------
mem_row=""
mem_rss=""
if [[ $memory == 1 ]]; then
  mem_lines=${BENCH_MEMORY_LINES:-10000000}
  mem_res=${BENCH_MEMORY_RESOURCES:-2000000}
  echo "memory run: analyze on $(commas "$mem_lines") lines with $(commas "$mem_res") distinct order ids (1 run)"
  gen_log "$mem_lines" "$seed" "$mem_res"
  mem_log=$GEN_FILE
  echo "  input: $mem_log, $GEN_NOTE"
  cat "$mem_log" >/dev/null
  mem_n=$(wc -l <"$mem_log" | tr -d ' ')
  timed analyze-mem 1 /dev/null "$bin" analyze --log-format combined --format json "$mem_log"
  mem_secs=$T_MEDIAN mem_rss=$T_RSS_KB
  mem_rate=$(awk -v n="$mem_n" -v t="$mem_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  mem_ratio="n/a"
  [[ -n $ga_rate ]] && mem_ratio=$(awk -v a="$mem_rate" -v b="$ga_rate" 'BEGIN { printf "%.1f×", a / b }')
  mem_row=$(printf '| conflictwatch analyze (memory, 1 run) | %s (%s MiB) | %s | %.3f | %s | %.1f | %s |' \
    "$(basename "$mem_log")" "$(mib_of_file "$mem_log")" "$(commas "$mem_n")" "$mem_secs" "$(commas "$mem_rate")" \
    "$(awk -v k="$mem_rss" 'BEGIN{print k/1024}')" "$mem_ratio")
  echo
fi

# ---- table ---------------------------------------------------------------------------------------
ratio_of() {  # throughput relative to goaccess
  if [[ -n $ga_rate && $ga_rate != 0 ]]; then awk -v a="$1" -v b="$ga_rate" 'BEGIN { printf "%.1f×", a / b }'; else echo "n/a"; fi
}
row() {  # tool secs rate rss_kb
  printf '| %s | %s | %s | %.3f | %s | %.1f | %s |\n' "$1" "$input_label" "$(commas "$nlines")" "$2" "$(commas "$3")" \
    "$(awk -v k="$4" 'BEGIN{print k/1024}')" "$(ratio_of "$3")"
}
echo "| tool | input | lines | median s | lines/s | peak RSS MiB | ratio (× goaccess) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
row "conflictwatch analyze (median of $runs)" "$cw_secs" "$cw_rate" "$cw_rss"
[[ -n $ga_rate ]] && row "goaccess (median of $ga_runs)" "$ga_secs" "$ga_rate" "$ga_rss"
row "wc -l (median of $runs)" "$wc_secs" "$wc_rate" "$wc_rss"
[[ -n $mem_row ]] && echo "$mem_row"
echo

# ---- targets (SPEC section 11) ---------------------------------------------------------------------
missed=0
verdict() { if [[ $1 == 1 ]]; then echo PASS; else missed=1; echo MISS; fi; }
ok=$(awk -v r="$cw_rate" 'BEGIN { print (r >= 2000000) ? 1 : 0 }')
echo "target: analyze >= 2,000,000 lines/s: $(verdict "$ok") ($(commas "$cw_rate") lines/s)"
if [[ -n $ga_rate ]]; then
  ok=$(awk -v a="$cw_rate" -v b="$ga_rate" 'BEGIN { print (b > 0 && a / b >= 25) ? 1 : 0 }')
  echo "target: analyze >= 25× goaccess: $(verdict "$ok") ($(ratio_of "$cw_rate"))"
else
  echo "target: analyze >= 25× goaccess: not measured (goaccess not installed)"
fi
if [[ -n $mem_rss ]]; then
  ok=$(awk -v k="$mem_rss" 'BEGIN { print (k / 1024 <= 150) ? 1 : 0 }')
  echo "target: peak RSS <= 150 MiB on $(commas "$mem_n") lines / $(commas "$mem_res") resources: $(verdict "$ok") ($(awk -v k="$mem_rss" 'BEGIN{printf "%.1f", k/1024}') MiB)"
fi
[[ $quick == 1 || $nlines -lt 1000000 ]] && echo "note: input under 1,000,000 lines; the SPEC targets are meant for the full run (make bench)"

# ---- summary line ----------------------------------------------------------------------------------
ga_part="goaccess not installed"
[[ -n $ga_rate ]] && ga_part="$(awk -v a="$cw_rate" -v b="$ga_rate" 'BEGIN { printf "%.0f", a / b }')x goaccess"
mem_part=""
[[ -n $mem_rss ]] && mem_part=", memory run peak RSS $(awk -v k="$mem_rss" 'BEGIN{printf "%.0f", k/1024}') MiB on $(human_count "$mem_n") lines"
echo
warn_part=""
if [[ $check_note == *WARNING* ]]; then
  warn_part=" (WARNING: the check run did not read the input as expected, see above)"
  missed=1
fi
echo "bench: analyze $(human_rate "$cw_rate") lines/s, $ga_part, peak RSS $(awk -v k="$cw_rss" 'BEGIN{printf "%.0f", k/1024}') MiB$mem_part$warn_part"

if [[ $strict == 1 && $missed == 1 ]]; then
  exit 1
fi
exit 0
