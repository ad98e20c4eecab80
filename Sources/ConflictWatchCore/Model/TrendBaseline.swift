/// The fast, level-and-trend estimate of a route's conflict ratio that a bucket must beat on top
/// of the slow baseline (SPEC §5.4: "a slow trend is not a burst; the baseline must follow it").
///
/// Brown's double exponential smoothing over buckets: `s1` is the writes-weighted decayed ratio
/// (decayed conflicts over decayed writes), `s2` the decayed mean of `s1`. For a ratio rising
/// linearly, `s1` lags by `(1 − a)/a` buckets of slope and `s2` twice as much, so
/// `s1 + (s1 − s2)/(1 − a)` forecasts the next bucket with no lag. Both averages are normalised by
/// their decayed weights and carry no prior, so a new route starts at its own ratio: a prior
/// pulling the first buckets toward 1% would look like a steep trend up to the route's real ratio.
/// Anomalous buckets teach it through the same clipped update as the slow baseline, so an
/// incident cannot teach itself away, yet a lasting change is caught up with in the end.
struct TrendBaseline: Equatable {
    var conflicts: Double = 0
    var writes: Double = 0
    var s2Sum: Double = 0
    var s2Weight: Double = 0

    /// s1: the recent conflict ratio (0 before any write).
    var level: Double { writes > 0 ? conflicts / writes : 0 }

    /// The next bucket's expected ratio: level plus trend, never below zero. A falling trend is
    /// reported as such; the caller takes the larger of this and the slow baseline.
    func forecast(keep: Double) -> Double {
        guard s2Weight > 0 else { return level }
        let s2 = s2Sum / s2Weight
        return max(0, level + (level - s2) / keep)
    }

    /// One bucket: `keep` is the share of the old estimate kept per bucket (1 − a). Buckets
    /// without writes say nothing about the ratio.
    mutating func update(conflicts x: Double, writes n: Double, keep: Double) {
        guard n > 0 else { return }
        conflicts = conflicts * keep + x
        writes = writes * keep + n
        s2Sum = s2Sum * keep + level
        s2Weight = s2Weight * keep + 1
    }
}
