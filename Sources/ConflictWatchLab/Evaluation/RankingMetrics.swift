import ConflictWatchCore

/// Ranking quality for "which resources will see a conflict within the horizon", the way
/// `evaluate` reports it. Most candidates never conflict, so ROC-AUC flatters any ranker (it
/// rewards ordering the sea of negatives among themselves); precision@k and average precision
/// only count how early the positives come.
///
/// Ties are part of the ranking, not an accident of sort order: naive rankers give many
/// candidates the same score (0 recent conflicts). Both measures therefore treat a group of
/// equal scores as one step, which is the expectation over every order inside the group.
public enum RankingMetrics {
    public struct Scored: Sendable, Equatable {
        public var score: Double
        public var positive: Bool
        public init(_ score: Double, _ positive: Bool) {
            self.score = score
            self.positive = positive
        }
    }

    /// Equal scores, in descending order of score: (items, positives).
    static func groups(_ items: [Scored]) -> [(count: Int, positives: Int)] {
        let sorted = items.sorted { $0.score > $1.score }
        var out: [(count: Int, positives: Int)] = []
        var i = 0
        while i < sorted.count {
            var j = i, pos = 0
            while j < sorted.count, sorted[j].score == sorted[i].score {
                if sorted[j].positive { pos += 1 }
                j += 1
            }
            out.append((j - i, pos))
            i = j
        }
        return out
    }

    /// Positives among the top `k`, divided by `k` (by the number of items when there are fewer).
    /// A tie group straddling the cut contributes its share of positives pro rata.
    /// Nil for an empty list.
    public static func precision(at k: Int, _ items: [Scored]) -> Double? {
        let cut = min(k, items.count)
        guard cut > 0 else { return nil }
        var taken = 0
        var hits = 0.0
        for g in groups(items) {
            if taken + g.count <= cut {
                taken += g.count
                hits += Double(g.positives)
            } else {
                hits += Double(cut - taken) * Double(g.positives) / Double(g.count)
                break
            }
            if taken == cut { break }
        }
        return hits / Double(cut)
    }

    /// Average precision: Σ over score thresholds of (recall gained) × (precision there), as
    /// scikit-learn's `average_precision_score` computes it. Nil when nothing is positive.
    public static func averagePrecision(_ items: [Scored]) -> Double? {
        let total = items.reduce(0) { $0 + ($1.positive ? 1 : 0) }
        guard total > 0 else { return nil }
        var tp = 0, seen = 0
        var ap = 0.0
        for g in groups(items) {
            tp += g.positives
            seen += g.count
            ap += Double(g.positives) / Double(total) * Double(tp) / Double(seen)
        }
        return ap
    }
}
