/// The model's quality bar (issue 3), checked on one scored run: every injected event
/// detected; bursts within `maxDelayBuckets` of their start; a hot spot raised before its
/// conflict peak (its start is the first buyer of a ramp that begins at zero, so a delay
/// counted from there says nothing; the peak is the deadline that matters); at most
/// `falseBurstsPerHour` false bursts per hour of traffic (at least one allowed in a log shorter
/// than an hour); and the model's ranking strictly better than both naive rankers on PR-AUC and
/// precision@10.
public struct QualityBar: Encodable, Sendable {
    public var passed: Bool
    /// One sentence per failed check, naming the event, alerts or figures involved.
    public var failures: [String]

    public static let maxDelayBuckets = 2.0
    public static let falseBurstsPerHour = 1.0

    public static func check(_ d: DetectionEvaluation, _ r: RankingEvaluation?) -> QualityBar {
        var failures: [String] = []
        for e in d.events {
            guard e.detected, let delay = e.delayBuckets else {
                failures.append("\(e.id) (\(e.kind) \(e.class) on \(e.resource ?? e.route)) was not detected")
                continue
            }
            if !e.isHotspot, delay > maxDelayBuckets {
                failures.append("\(e.id) detected \(delay) buckets late by \(e.alertID ?? "?") (bar: ≤ \(maxDelayBuckets))")
            }
            if e.isHotspot, e.peak != nil, e.raisedBeforePeak != true {
                failures.append("\(e.id) hot spot raised at its conflict peak or after it (peak \(e.peak ?? "?"), alert \(e.alertID ?? "?"))")
            }
        }
        let allowed = max(1, falseBurstsPerHour * d.hours)
        if Double(d.falseBurstAlerts.count) > allowed {
            let sample = d.falseBurstAlerts.prefix(5).map { "\($0.route) at \($0.start)" }.joined(separator: "; ")
            failures.append("\(d.falseBurstAlerts.count) false burst alerts in \((d.hours * 100).rounded() / 100) h (bar: ≤ \(Int(allowed))): \(sample)")
        }
        if let r {
            let model = r.ranker("model")
            for naive in ["recent_writes", "recent_conflicts"] {
                let other = r.ranker(naive)
                for (metric, value) in [("PR-AUC", { (x: RankingEvaluation.Ranker?) in x?.prAUC }),
                                        ("precision@10", { (x: RankingEvaluation.Ranker?) in x?.precisionAt10 })] {
                    guard let m = value(model), let o = value(other) else {
                        failures.append("\(metric): nothing to rank (no candidate ever conflicted)")
                        continue
                    }
                    if m <= o { failures.append("\(metric): model \(m) does not beat \(naive) \(o)") }
                }
            }
        }
        return QualityBar(passed: failures.isEmpty, failures: failures)
    }
}
