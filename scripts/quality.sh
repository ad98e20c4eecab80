#!/usr/bin/env bash
# The model's quality bar (issues 3 and 9) at full length: every scenario × seeds 1 2 3 through
# simulate → analyze --format json → evaluate --format json on a release build, then one table
# with a row for every run (no seed is dropped). docs/evaluation.md explains the scenarios,
# the matching rules and every column.
#
#   scripts/quality.sh                      # all scenarios, seeds 1 2 3, default durations
#   SEEDS="1 2 3 4 5" scripts/quality.sh
#   SCENARIOS="realistic trend-rush" scripts/quality.sh
#   JOBS=1 scripts/quality.sh               # runs side by side (default: 2, or 1 on one core)
#   CONFLICTWATCH_BIN=path/to/conflictwatch scripts/quality.sh   # skip the build
#   SCRATCH=.build-sim scripts/quality.sh   # build in another scratch dir
#
# Exit status 1 when any run misses the bar; the work directory is kept for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS=${SEEDS:-"1 2 3"}
SCENARIOS=${SCENARIOS:-"steady retry-storm duplicate-create deploy-regression flash-sale mixed trend-rush trend-regression storm-among-conflicts realistic"}
SCRATCH=${SCRATCH:-.build}
CORES=$(nproc 2>/dev/null || echo 1)
JOBS=${JOBS:-$(( CORES >= 2 ? 2 : 1 ))}
if [ -z "${CONFLICTWATCH_BIN:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" >&2
  CONFLICTWATCH_BIN="$SCRATCH/release/conflictwatch"
fi
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/conflictwatch-quality.XXXXXX")}
echo "binary $CONFLICTWATCH_BIN; work dir $WORK; $JOBS at a time" >&2

run_one() {
  local scenario=$1 seed=$2 dir="$WORK/$1-$2"
  "$CONFLICTWATCH_BIN" simulate --quiet --scenario "$scenario" --seed "$seed" --out "$dir"
  "$CONFLICTWATCH_BIN" analyze --quiet --format json "$dir/access.log" > "$dir/alerts.json"
  "$CONFLICTWATCH_BIN" evaluate --quiet --format json --truth "$dir/truth.json" "$dir/alerts.json" > "$dir/evaluation.json"
  echo "  $scenario seed $seed done" >&2
}

started=$(date +%s)
broken=0
running=0
for scenario in $SCENARIOS; do
  for seed in $SEEDS; do
    run_one "$scenario" "$seed" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
      wait -n || broken=1
      running=$((running - 1))
    fi
  done
done
while [ "$running" -gt 0 ]; do
  wait -n || broken=1
  running=$((running - 1))
done
echo "all runs in $(( $(date +%s) - started )) s" >&2

python3 - "$WORK" "$broken" $SCENARIOS -- $SEEDS <<'PY'
import json, os, sys
work, broken = sys.argv[1], sys.argv[2] == "1"
split = sys.argv.index("--")
scenarios, seeds = sys.argv[3:split], sys.argv[split + 1:]
def f(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"
head = ["scenario", "seed", "recall", "class ok", "false bursts", "false/h", "non-event", "non-event/h", "quiet",
        "delay", "#1 after onset s", "hot<peak", "p@10 model/writes/confl", "PR-AUC model/writes/confl", "bar"]
rows, failures = [], []
for scenario in scenarios:
    for seed in seeds:
        path = os.path.join(work, f"{scenario}-{seed}", "evaluation.json")
        if not os.path.exists(path):
            rows.append([scenario, seed] + ["?"] * (len(head) - 3) + ["ERROR"])
            failures.append(f"{scenario} seed {seed}: the run did not finish (see {os.path.dirname(path)})")
            continue
        e = json.load(open(path))
        det, rk = e["detection"], {r["name"]: r for r in (e.get("ranking") or {}).get("rankers", [])}
        events = det["events"]
        delays = [ev["delay_buckets"] for ev in events if ev["kind"] == "burst" and ev["delay_buckets"] is not None]
        peaks = [ev["raised_before_peak"] for ev in events if ev["kind"] == "hotspot"]
        leads = [ev["ranked_first_after_onset_s"] if ev["onset"] else ev["ranked_first_after_start_s"]
                 for ev in events if ev["kind"] == "hotspot"]
        g = lambda key: "/".join(f(rk.get(n, {}).get(key), 2) for n in ("model", "recent_writes", "recent_conflicts"))
        rows.append([
            e["scenario"], str(e["seed"]), f(det["recall"], 2),
            f"{det['classes_ok']}/{len(events)}" if events else "-",
            str(det["false_bursts"]), f(det["false_bursts_per_hour"], 2),
            str(det["non_event_alert_count"]), f(det["non_event_alerts_per_hour"], 1), str(len(det["quiet_route_alerts"])),
            f(max(delays), 1) if delays else "-",
            ",".join("never" if x is None else f"{x:.0f}" for x in leads) if leads else "-",
            ("yes" if all(peaks) else "NO") if peaks else "-",
            g("precision_at_10"), g("pr_auc"),
            "pass" if e["quality"]["passed"] else "FAIL"])
        failures += [f"{e['scenario']} seed {e['seed']}: {m}" for m in e["quality"]["failures"]]
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(head)) + " |")
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print("| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |")
print("""
class ok: detected events whose first alert names every truth class (and the truth's client) / events
non-event: alerts of either kind opened after the warm-up (15 min, or the first event if sooner) that explain no event; bar <= 6 per hour
quiet: alerts on /api/documents/{id} (locked documents) and /api/notes/{id}; bar 0
delay: worst burst detection delay in buckets (bar <= 2); hot<peak: hot spot raised before its conflict peak
#1 after onset: seconds from a hot spot's first concurrent writes until the model ranks its resource first (bar <= 30)""")
if failures:
    print("\nMisses:")
    for m in failures:
        print("  - " + m)
sys.exit(1 if failures or broken else 0)
PY
