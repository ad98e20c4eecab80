/// The fast, level-and-trend estimate of a route's conflict ratio that a bucket must beat on top
/// of the slow baseline (SPEC §5.4: "a slow trend is not a burst; the baseline must follow it").
///
/// Brown's double exponential smoothing over buckets: `s1` is the writes-weighted decayed ratio
/// (decayed conflicts over decayed writes, with the route's Gamma prior), `s2` the decayed mean of
/// `s1`. For a ratio rising linearly, `s1` lags by `(1 − a)/a` buckets of slope and `s2` twice as
/// much, so `s1 + (s1 − s2)/(1 − a)` forecasts the next bucket with no lag. Both averages are
/// normalised by their decayed weights, so a new route is not stuck at its starting value.
/// Anomalous buckets teach it through the same clipped update as the slow baseline, so an
/// incident cannot teach itself away, yet a lasting change is caught up with in the end.
struct TrendBaseline: Equatable {
    var conflicts: Double = 0
    var writes: Double = 0
    var s2Sum: Double = 0
    var s2Weight: Double = 0

    /// s1: the recent conflict ratio.
    func level(priorConflicts: Double, priorWrites: Double) -> Double {
        (priorConflicts + conflicts) / (priorWrites + writes)
    }

    /// The next bucket's expected ratio: level plus trend, never below zero. A falling trend is
    /// reported as such; the caller takes the larger of this and the slow baseline.
    func forecast(priorConflicts: Double, priorWrites: Double, keep: Double) -> Double {
        let s1 = level(priorConflicts: priorConflicts, priorWrites: priorWrites)
        guard s2Weight > 0 else { return s1 }
        let s2 = s2Sum / s2Weight
        return max(0, s1 + (s1 - s2) / keep)
    }

    /// One bucket: `keep` is the share of the old estimate kept per bucket (1 − a).
    mutating func update(conflicts x: Double, writes n: Double, keep: Double, priorConflicts: Double, priorWrites: Double) {
        conflicts = conflicts * keep + x
        writes = writes * keep + n
        let s1 = level(priorConflicts: priorConflicts, priorWrites: priorWrites)
        s2Sum = s2Sum * keep + s1
        s2Weight = s2Weight * keep + 1
    }
}
