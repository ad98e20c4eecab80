#!/usr/bin/env bash
# conflictwatch benchmark, logs part (SPEC section 11): `analyze` throughput and peak RSS on the same
# generated traffic written three ways (nginx combined, JSON lines, a custom nginx log_format),
# against two floors measured on the same combined file in the same run (`wc -l`, and the C floor:
# Benchmarks/floor.c, a minimal line-and-route counter compiled here with `cc -O2`) and GoAccess
# (when installed); peak RSS of `analyze` on a one-line file. All inputs are page-cached first.
# Benchmarks/bench.sh runs this, pcap_bench.sh and daemon_bench.sh and prints one summary table.
#
#   make bench                                  # release build, then Benchmarks/bench.sh
#   BENCH_QUICK=1 CONFLICTWATCH_BIN=... bash Benchmarks/run.sh   # 200,000-line smoke test
#
# Knobs (environment):
#   CONFLICTWATCH_BIN    binary to measure (default: <repo>/.build/release/conflictwatch)
#   BENCH_LINES          lines in the generated log (default 2000000; 200000 with BENCH_QUICK=1)
#   BENCH_RUNS           timed runs of analyze (each format), wc -l and the C floor; medians reported (default 5)
#   BENCH_GOACCESS_RUNS  timed runs of goaccess (default 3; it is ~40x slower)
#   BENCH_DIR            work dir for the logs and outputs (default <repo>/.build/bench)
#   BENCH_QUICK=1        smoke test: 200,000 lines
#   BENCH_SEED           generator seed (default 42)
#   BENCH_RESOURCES      distinct order ids in the log (default BENCH_LINES/40)
#   BENCH_INPUT=FILE     measure this existing combined log instead of generating one (the JSON and
#                        custom-format runs are then skipped: they need the generated traffic)
#   BENCH_MEMORY=1       also run analyze once on a 10,000,000-line log with 2,000,000 distinct
#                        resources (generated once, ~1.8 GB, ~1 min) and check the 150 MiB target
#   GOACCESS             goaccess binary to compare against (default: goaccess from PATH)
#   CC                   C compiler for the C floor (default: cc)
#   BENCH_STRICT=1       exit 1 when a SPEC section 11 target is missed (default: report only)
#   BENCH_RESULTS=FILE   also append every figure as KEY=VALUE lines to FILE (bench.sh reads them)
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
cc_bin=${CC:-cc}
results=${BENCH_RESULTS:-}

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

# result KEY VALUE: one figure for bench.sh's summary (KEY=VALUE, shell-quoted), when BENCH_RESULTS is set
result() { [[ -z $results ]] || printf '%s=%q\n' "$1" "$2" >>"$results"; }

# What the stamp of a generated log records about the generator: its default (combined) output is
# byte-identical across generator versions that print the same --output-version. The legacy stamp
# (a hash of the generator file, written before --output-version existed) is accepted for the one
# generator version whose combined output is that of output version 1.
gen_version=$(python3 "$here/generate_log.py" --output-version)
legacy_generator=e7a89457867170ff

# gen_log LINES SEED RESOURCES [FORMAT] -> sets GEN_FILE to an up-to-date generated log (reused when
# the parameters and the generator's output version are unchanged) and GEN_NOTE to how it was made
gen_log() {
  local n=$1 s=$2 r=$3 fmt=${4:-combined}
  local f="$workdir/access-$n-s$s-r$r.log"
  local stamp="lines=$n seed=$s resources=$r generator-output=$gen_version"
  local legacy="lines=$n seed=$s resources=$r generator=$legacy_generator"
  if [[ $fmt != combined ]]; then
    f="$workdir/access-$n-s$s-r$r.$fmt.log"
    stamp+=" format=$fmt"
    legacy=""
  fi
  local have=""
  [[ -f $f && -f $f.params ]] && have=$(cat "$f.params")
  if [[ -n $have && ( $have == "$stamp" || ( -n $legacy && $have == "$legacy" && $gen_version == 1 ) ) ]]; then
    GEN_NOTE="reused (generated earlier with the same parameters)"
  else
    rm -f "$f" "$f.params"
    local g0 g1
    g0=$EPOCHREALTIME
    python3 "$here/generate_log.py" --lines "$n" --seed "$s" --resources "$r" --format "$fmt" --out "$f" >&2
    g1=$EPOCHREALTIME
    echo "$stamp" >"$f.params"
    GEN_NOTE="generated now in $(awk -v a="$g0" -v b="$g1" 'BEGIN { printf "%.1f", b - a }') s"
  fi
  GEN_FILE=$f
}

# check_summary JSON LINES [REFERENCE_JSON]: one line about analyze's summary; WARNING when it did
# not read every line, found malformed ones, or (with a reference) saw other traffic than the reference
check_summary() {
  python3 - "$@" <<'PYEOF' || true
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
ref = sys.argv[3] if len(sys.argv) > 3 else None
def summary(p):
    with open(p) as f:
        return json.load(f).get("summary", {})
try:
    s = summary(path)
except Exception as e:
    print("WARNING: analyze --format json output is not a JSON document with a summary (%s)" % e)
    sys.exit(0)
parts = ["%s=%s" % (k, s[k]) for k in ("lines", "exchanges", "malformed", "writes", "conflicts", "routes", "lines_per_second") if k in s]
msg = "summary: " + (", ".join(parts) if parts else "(no summary fields)")
if s.get("lines") is not None and s.get("lines") != n:
    msg += "  WARNING: summary.lines != %d lines in the file" % n
if s.get("malformed"):
    msg += "  WARNING: %s malformed lines" % s["malformed"]
if ref:
    try:
        r = summary(ref)
        diff = [k for k in ("exchanges", "writes", "conflicts", "routes") if r.get(k) != s.get(k)]
        if diff:
            msg += "  WARNING: differs from the combined log's analysis in " + ", ".join(diff)
        else:
            msg += " (same exchanges, writes, conflicts and routes as the combined log)"
    except Exception as e:
        msg += "  WARNING: cannot read the combined log's analysis (%s)" % e
print(msg)
PYEOF
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

# ---- inputs --------------------------------------------------------------------------------------
# The combined log, and (generated input only) the same traffic as JSON lines and in a custom
# log_format; a one-line file for the small-input RSS.
custom_format=$(python3 "$here/generate_log.py" --print-log-format)
if [[ -n $input ]]; then
  [[ -f $input ]] || die "BENCH_INPUT is not a file: $input"
  log=$(cd "$(dirname "$input")" && pwd)/$(basename "$input")
  origin="given by BENCH_INPUT"
else
  gen_log "$lines" "$seed" "$resources"
  log=$GEN_FILE
  origin="Benchmarks/generate_log.py --lines $lines --seed $seed --resources $resources, $GEN_NOTE"
fi
nlines=$(wc -l <"$log" | tr -d ' ')
input_label="$(basename "$log") ($(mib_of_file "$log") MiB)"
echo "input:   $log"
echo "         $(commas "$nlines") lines, $(mib_of_file "$log") MiB; $origin"
variants=()        # format names measured besides combined
declare -A vfile=() vorigin=()
if [[ -z $input ]]; then
  for fmt in json custom; do
    gen_log "$lines" "$seed" "$resources" "$fmt"
    vfile[$fmt]=$GEN_FILE vorigin[$fmt]="--format $fmt, $GEN_NOTE"
    variants+=("$fmt")
    echo "         $(basename "$GEN_FILE"): the same traffic, $(mib_of_file "$GEN_FILE") MiB; ${vorigin[$fmt]}"
  done
else
  echo "         (BENCH_INPUT: no JSON or custom-format variant of this traffic, those runs are skipped)"
fi
one_line="$workdir/one-line.log"
head -n 1 "$log" >"$one_line"
# page-cache every input, as in SPEC section 11
cat "$log" >/dev/null
for fmt in "${variants[@]}"; do cat "${vfile[$fmt]}" >/dev/null; done
echo
result log_file "$log"
result log_lines "$nlines"
result log_mib "$(mib_of_file "$log")"
result log_origin "$origin"
result runs "$runs"
result quick "$quick"

# ---- conflictwatch analyze, each format -------------------------------------------------------------
# log_format_arg FORMAT -> the --log-format value for that layout
log_format_arg() {
  case $1 in
    combined) echo combined ;;
    json) echo json ;;
    custom) echo "$custom_format" ;;
  esac
}
check_warn=0
declare -A a_secs=() a_rate=() a_rss=() a_note=()
for fmt in combined "${variants[@]}"; do
  if [[ $fmt == combined ]]; then f=$log; else f=${vfile[$fmt]}; fi
  lf=$(log_format_arg "$fmt")
  # One untimed run first: warms up, and checks the tool really read the whole file.
  if [[ $fmt == custom ]]; then
    echo "conflictwatch analyze --log-format '$lf' --format json (check run, then $runs timed runs)"
  else
    echo "conflictwatch analyze --log-format $lf --format json (check run, then $runs timed runs)"
  fi
  check_json="$workdir/analyze.json"
  [[ $fmt != combined ]] && check_json="$workdir/analyze-$fmt.json"
  cat "$f" >/dev/null
  if ! "$bin" analyze --log-format "$lf" --format json "$f" >"$check_json" 2>"$workdir/analyze.$fmt.check.stderr" </dev/null; then
    echo "bench: the check run of analyze ($fmt) failed; last lines of its stderr:" >&2
    tail -n 20 "$workdir/analyze.$fmt.check.stderr" >&2 || true
    exit 1
  fi
  if [[ $fmt == combined ]]; then
    note=$(check_summary "$check_json" "$nlines")
  else
    note=$(check_summary "$check_json" "$nlines" "$workdir/analyze.json")
  fi
  [[ $note == *WARNING* ]] && check_warn=1
  echo "  $note"
  timed "analyze-$fmt" "$runs" /dev/null "$bin" analyze --log-format "$lf" --format json "$f"
  a_secs[$fmt]=$T_MEDIAN a_rss[$fmt]=$T_RSS_KB
  a_rate[$fmt]=$(awk -v n="$nlines" -v t="$T_MEDIAN" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  result "${fmt}_secs" "$T_MEDIAN"
  result "${fmt}_rate" "${a_rate[$fmt]}"
  result "${fmt}_rss_kb" "$T_RSS_KB"
  result "${fmt}_mib" "$(mib_of_file "$f")"
  result "${fmt}_runs" "$T_ALL"
  echo
done
cw_secs=${a_secs[combined]} cw_rss=${a_rss[combined]} cw_rate=${a_rate[combined]}
result check_warn "$check_warn"
[[ ${#variants[@]} -gt 0 ]] && result custom_format "$custom_format"

# ---- wc -l (floor) -------------------------------------------------------------------------------
echo "wc -l ($runs timed runs)"
cat "$log" >/dev/null
timed wc "$runs" /dev/null wc -l "$log"
wc_secs=$T_MEDIAN wc_rss=$T_RSS_KB
wc_rate=$(awk -v n="$nlines" -v t="$wc_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
result wc_secs "$wc_secs"
result wc_rate "$wc_rate"
echo

# ---- C floor -------------------------------------------------------------------------------------
# Benchmarks/floor.c: read() in 4 MiB chunks, memchr line splitting, the request path templated
# (segments with a digit -> {id}) and counted per route in an open-addressing table. Compiled here.
floor_secs="" floor_rate="" floor_rss="" floor_note=""
floor_bin="$workdir/floor"
if ! command -v "$cc_bin" >/dev/null 2>&1; then
  floor_note="no C compiler ($cc_bin), C floor skipped; install one: sudo apt-get install gcc"
  echo "C floor: $floor_note"
elif ! "$cc_bin" -O2 -o "$floor_bin" "$here/floor.c" 2>"$workdir/floor.cc.stderr"; then
  floor_note="compiling Benchmarks/floor.c failed (see $workdir/floor.cc.stderr), C floor skipped"
  echo "C floor: $floor_note"
  check_warn=1
else
  echo "C floor: $cc_bin -O2 Benchmarks/floor.c, check run, then $runs timed runs"
  cat "$log" >/dev/null
  floor_out=$("$floor_bin" "$log")
  # "lines N routes R requests Q": it must have seen every line and a request path on each
  read -r _ f_lines _ f_routes _ f_requests <<<"$floor_out"
  if [[ $f_lines == "$nlines" && $f_requests == "$nlines" && ${f_routes:-0} -gt 0 ]]; then
    echo "  $floor_out (every line read, a request path on each)"
  else
    echo "  $floor_out  WARNING: expected lines $nlines and requests $nlines"
    check_warn=1
  fi
  timed floor "$runs" /dev/null "$floor_bin" "$log"
  floor_secs=$T_MEDIAN floor_rss=$T_RSS_KB
  floor_rate=$(awk -v n="$nlines" -v t="$floor_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  result floor_secs "$floor_secs"
  result floor_rate "$floor_rate"
  result floor_routes "$f_routes"
fi
[[ -n $floor_note ]] && result floor_note "$floor_note"
echo

# ---- analyze on a one-line file (small-input RSS) -----------------------------------------------------
small_runs=3
echo "conflictwatch analyze on a one-line file ($one_line; $small_runs runs, the largest peak RSS counts)"
timed analyze-one-line "$small_runs" /dev/null "$bin" analyze --log-format combined --format json "$one_line"
small_rss=$T_RSS_KB small_secs=$T_MEDIAN
result small_rss_kb "$small_rss"
result small_secs "$small_secs"
echo

# ---- goaccess --------------------------------------------------------------------------------------
ga_secs="" ga_rate="" ga_rss=""
if command -v "$goaccess_bin" >/dev/null 2>&1; then
  ga_version=$("$goaccess_bin" --version 2>/dev/null | head -n1 | sed -e 's/^GoAccess - /GoAccess /' -e 's/[. ]*$//')
  # GoAccess slows down more than linearly with the file's size: the ratio holds for this size only.
  echo "goaccess FILE --log-format=COMBINED --no-global-config -o goaccess.json ($ga_version; $ga_runs timed runs)"
  echo "  on the same combined log: $(commas "$nlines") lines, $(mib_of_file "$log") MiB (GoAccess slows down more than linearly with the size)"
  ga_out="$workdir/goaccess.json"
  cat "$log" >/dev/null
  timed goaccess "$ga_runs" /dev/null "$goaccess_bin" "$log" --log-format=COMBINED --no-global-config -o "$ga_out"
  ga_secs=$T_MEDIAN ga_rss=$T_RSS_KB
  ga_rate=$(awk -v n="$nlines" -v t="$ga_secs" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
  ga_note=$(python3 - "$ga_out" <<'PYEOF' || true
import json, sys
try:
    g = json.load(open(sys.argv[1]))["general"]
    print("goaccess parsed: total_requests=%s valid=%s failed=%s" % (g.get("total_requests"), g.get("valid_requests"), g.get("failed_requests")))
except Exception as e:
    print("WARNING: could not read goaccess output (%s)" % e)
PYEOF
)
  echo "  $ga_note"
  result ga_secs "$ga_secs"
  result ga_rate "$ga_rate"
  result ga_version "$ga_version"
else
  echo "goaccess: not installed ($goaccess_bin not found), comparison skipped."
  echo "  Install it to get the ratio (Debian/Ubuntu): sudo apt-get install goaccess"
  echo "  (it would run on the same combined log: $(commas "$nlines") lines, $(mib_of_file "$log") MiB; GoAccess slows down more than linearly with the size)"
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
  mem_row=$(printf '| conflictwatch analyze combined (memory run, 1 run) | %s (%s MiB) | %s | %.3f | %s | %.1f | | | |' \
    "$(basename "$mem_log")" "$(mib_of_file "$mem_log")" "$(commas "$mem_n")" "$mem_secs" "$(commas "$mem_rate")" \
    "$(awk -v k="$mem_rss" 'BEGIN{print k/1024}')")
  result mem_lines "$mem_n"
  result mem_resources "$mem_res"
  result mem_secs "$mem_secs"
  result mem_rate "$mem_rate"
  result mem_rss_kb "$mem_rss"
  echo
fi

# ---- table ---------------------------------------------------------------------------------------
# ratios of times on the same number of lines: how many times longer than the C floor / wc -l
times_of() {  # secs reference_secs
  if [[ -n $2 ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", (b > 0 ? a / b : 0) }'; else echo "n/a"; fi
}
ratio_of() {  # throughput relative to goaccess
  if [[ -n $ga_rate && $ga_rate != 0 ]]; then awk -v a="$1" -v b="$ga_rate" 'BEGIN { printf "%.1f×", a / b }'; else echo "n/a"; fi
}
row() {  # tool input_label secs rate rss_kb
  printf '| %s | %s | %s | %.3f | %s | %.1f | %s | %s | %s |\n' "$1" "$2" "$(commas "$nlines")" "$3" "$(commas "$4")" \
    "$(awk -v k="$5" 'BEGIN{print k/1024}')" "$(times_of "$3" "$floor_secs")" "$(times_of "$3" "$wc_secs")" "$(ratio_of "$4")"
}
echo "| tool | input | lines | median s | lines/s | peak RSS MiB | time ÷ C floor | time ÷ wc -l | × goaccess |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
row "conflictwatch analyze combined (median of $runs)" "$input_label" "$cw_secs" "$cw_rate" "$cw_rss"
for fmt in "${variants[@]}"; do
  row "conflictwatch analyze $fmt (median of $runs)" "$(basename "${vfile[$fmt]}") ($(mib_of_file "${vfile[$fmt]}") MiB)" \
    "${a_secs[$fmt]}" "${a_rate[$fmt]}" "${a_rss[$fmt]}"
done
[[ -n $ga_rate ]] && row "goaccess (median of $ga_runs)" "$input_label" "$ga_secs" "$ga_rate" "$ga_rss"
[[ -n $floor_secs ]] && row "C floor, Benchmarks/floor.c (median of $runs)" "$input_label" "$floor_secs" "$floor_rate" "$floor_rss"
row "wc -l (median of $runs)" "$input_label" "$wc_secs" "$wc_rate" "$wc_rss"
printf '| conflictwatch analyze, one-line file (%d runs) | %s | 1 | %.3f | | %.1f | | | |\n' "$small_runs" "$(basename "$one_line")" "$small_secs" \
  "$(awk -v k="$small_rss" 'BEGIN{print k/1024}')"
[[ -n $mem_row ]] && echo "$mem_row"
echo

# ---- targets (SPEC section 11) ---------------------------------------------------------------------
missed=0
verdict() { if [[ $1 == 1 ]]; then echo PASS; else missed=1; echo MISS; fi; }
ok=$(awk -v r="$cw_rate" 'BEGIN { print (r >= 4000000) ? 1 : 0 }')
echo "target: analyze combined >= 4,000,000 lines/s: $(verdict "$ok") ($(commas "$cw_rate") lines/s)"
if [[ -n $floor_secs ]]; then
  ok=$(awk -v a="$cw_secs" -v b="$floor_secs" 'BEGIN { print (b > 0 && a / b <= 2.3) ? 1 : 0 }')
  echo "target: analyze combined time <= 2.3× the C floor's: $(verdict "$ok") ($(times_of "$cw_secs" "$floor_secs"))"
else
  echo "target: analyze combined time <= 2.3× the C floor's: not measured ($floor_note)"
fi
for fmt in "${variants[@]}"; do
  # within 1.5× of combined: lines/s at least combined's / 1.5
  ok=$(awk -v a="${a_rate[$fmt]}" -v b="$cw_rate" 'BEGIN { print (b > 0 && a * 1.5 >= b) ? 1 : 0 }')
  echo "target: analyze $fmt within 1.5× of combined (lines/s >= combined's / 1.5): $(verdict "$ok") ($(awk -v a="${a_rate[$fmt]}" -v b="$cw_rate" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')× combined's lines/s)"
done
if [[ -n $ga_rate ]]; then
  ok=$(awk -v a="$cw_rate" -v b="$ga_rate" 'BEGIN { print (b > 0 && a / b >= 25) ? 1 : 0 }')
  echo "target: analyze >= 25× goaccess: $(verdict "$ok") ($(ratio_of "$cw_rate") on $(commas "$nlines") lines)"
else
  echo "target: analyze >= 25× goaccess: not measured (goaccess not installed)"
fi
ok=$(awk -v k="$small_rss" 'BEGIN { print (k / 1024 <= 40) ? 1 : 0 }')
echo "target: analyze of a small file peak RSS <= 40 MiB: $(verdict "$ok") ($(awk -v k="$small_rss" 'BEGIN{printf "%.1f", k/1024}') MiB on one line)"
if [[ -n $mem_rss ]]; then
  ok=$(awk -v k="$mem_rss" 'BEGIN { print (k / 1024 <= 150) ? 1 : 0 }')
  echo "target: peak RSS <= 150 MiB on $(commas "$mem_n") lines / $(commas "$mem_res") resources: $(verdict "$ok") ($(awk -v k="$mem_rss" 'BEGIN{printf "%.1f", k/1024}') MiB)"
fi
[[ $quick == 1 || $nlines -lt 1000000 ]] && echo "note: input under 1,000,000 lines; the SPEC targets are meant for the full run (make bench)"

# ---- summary line ----------------------------------------------------------------------------------
ga_part="goaccess not installed"
[[ -n $ga_rate ]] && ga_part="$(awk -v a="$cw_rate" -v b="$ga_rate" 'BEGIN { printf "%.0f", a / b }')x goaccess"
floor_part=""
[[ -n $floor_secs ]] && floor_part=", $(times_of "$cw_secs" "$floor_secs") the C floor's time"
fmt_part=""
for fmt in "${variants[@]}"; do fmt_part+=", $fmt $(human_rate "${a_rate[$fmt]}")"; done
mem_part=""
[[ -n $mem_rss ]] && mem_part=", memory run peak RSS $(awk -v k="$mem_rss" 'BEGIN{printf "%.0f", k/1024}') MiB on $(human_count "$mem_n") lines"
echo
warn_part=""
if [[ $check_warn == 1 ]]; then
  warn_part=" (WARNING: a check run did not read its input as expected, see above)"
  missed=1
fi
echo "bench: analyze $(human_rate "$cw_rate") lines/s$floor_part$fmt_part, $ga_part, peak RSS $(awk -v k="$cw_rss" 'BEGIN{printf "%.0f", k/1024}') MiB (one line: $(awk -v k="$small_rss" 'BEGIN{printf "%.0f", k/1024}') MiB)$mem_part$warn_part"
result check_warn "$check_warn"

if [[ $strict == 1 && $missed == 1 ]]; then
  exit 1
fi
exit 0
