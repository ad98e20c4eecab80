#!/usr/bin/env bash
# The model's quality bar (issue 3) at full length: every scenario × several seeds through
# simulate → analyze --format json → evaluate --format json on a release build, then one table.
#
#   scripts/quality.sh                      # seeds 1 2 3, default durations
#   SEEDS="1 2 3 4 5" scripts/quality.sh
#   CONFLICTWATCH_BIN=path/to/conflictwatch scripts/quality.sh   # skip the build
#   SCRATCH=.build-sim scripts/quality.sh   # build in another scratch dir
#
# Exit status 1 when any run misses the bar; the work directory is kept for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS=${SEEDS:-"1 2 3"}
SCENARIOS=${SCENARIOS:-"steady retry-storm duplicate-create deploy-regression flash-sale mixed"}
SCRATCH=${SCRATCH:-.build}
if [ -z "${CONFLICTWATCH_BIN:-}" ]; then
  swift build -c release --scratch-path "$SCRATCH" >&2
  CONFLICTWATCH_BIN="$SCRATCH/release/conflictwatch"
fi
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/conflictwatch-quality.XXXXXX")}
echo "binary $CONFLICTWATCH_BIN; work dir $WORK" >&2

for scenario in $SCENARIOS; do
  for seed in $SEEDS; do
    dir="$WORK/$scenario-$seed"
    "$CONFLICTWATCH_BIN" simulate --quiet --scenario "$scenario" --seed "$seed" --out "$dir"
    "$CONFLICTWATCH_BIN" analyze --quiet --format json "$dir/access.log" > "$dir/alerts.json"
    "$CONFLICTWATCH_BIN" evaluate --quiet --format json --truth "$dir/truth.json" "$dir/alerts.json" > "$dir/evaluation.json"
    echo "  $scenario seed $seed done" >&2
  done
done

python3 - "$WORK" $SCENARIOS <<'PY'
import json, os, sys
work, scenarios = sys.argv[1], sys.argv[2:]
runs = sorted((d for d in os.listdir(work) if os.path.exists(os.path.join(work, d, "evaluation.json"))),
              key=lambda d: (scenarios.index(d.rsplit("-", 1)[0]), int(d.rsplit("-", 1)[1])))
def f(v, digits=3):
    return "-" if v is None else f"{v:.{digits}f}"
head = ["scenario", "seed", "recall", "false", "false/h", "delay", "flash<peak",
        "p@10 model", "p@10 writes", "p@10 confl", "PR-AUC model", "PR-AUC writes", "PR-AUC confl", "bar"]
rows, failures = [], []
for d in runs:
    e = json.load(open(os.path.join(work, d, "evaluation.json")))
    det, rk = e["detection"], {r["name"]: r for r in (e.get("ranking") or {}).get("rankers", [])}
    delays = [ev["delay_buckets"] for ev in det["events"] if ev["kind"] == "burst" and ev["delay_buckets"] is not None]
    peaks = [ev["raised_before_peak"] for ev in det["events"] if ev["kind"] == "hotspot"]
    g = lambda name, key: rk.get(name, {}).get(key)
    rows.append([e["scenario"], str(e["seed"]), f(det["recall"], 2), str(det["false_bursts"]), f(det["false_bursts_per_hour"], 2),
                 f(max(delays), 1) if delays else "-", ("yes" if all(peaks) else "NO") if peaks else "-",
                 f(g("model", "precision_at_10")), f(g("recent_writes", "precision_at_10")), f(g("recent_conflicts", "precision_at_10")),
                 f(g("model", "pr_auc")), f(g("recent_writes", "pr_auc")), f(g("recent_conflicts", "pr_auc")),
                 "pass" if e["quality"]["passed"] else "FAIL"])
    failures += [f"{e['scenario']} seed {e['seed']}: {m}" for m in e["quality"]["failures"]]
w = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(head)) + " |")
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print("| " + " | ".join(c.ljust(w[i]) for i, c in enumerate(r)) + " |")
print("\n(delay: worst burst detection delay in buckets; flash<peak: hot spot raised before its conflict peak)")
if failures:
    print("\nMisses:")
    for m in failures:
        print("  - " + m)
sys.exit(1 if failures else 0)
PY
