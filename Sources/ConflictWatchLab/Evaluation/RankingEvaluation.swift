import ConflictWatchCore

/// How well each ranker orders resources by "will see a conflict within the horizon", replayed
/// over a log (see `RankingReplay`).
public struct RankingEvaluation: Encodable, Sendable {
    public struct Ranker: Encodable, Sendable {
        /// `model`, `recent_writes` or `recent_conflicts`.
        public var name: String
        /// Mean over checkpoints with at least one positive.
        public var precisionAt10: Double?
        /// Average precision over all pooled (checkpoint, candidate) pairs.
        public var prAUC: Double?
        /// Where this ranker's top 10 slots went, by route (share of all top-10 slots).
        public var top10Routes: [String: Double]

        enum CodingKeys: String, CodingKey {
            case name
            case precisionAt10 = "precision_at_10"
            case prAUC = "pr_auc"
            case top10Routes = "top10_routes"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(precisionAt10, forKey: .precisionAt10)
            try c.encode(prAUC, forKey: .prAUC)
            try c.encode(top10Routes, forKey: .top10Routes)
        }
    }

    /// For a hot-spot event: when the model first put its resource at the top of its ranking,
    /// probing every second from the event's start to its end.
    public struct HotspotLead: Encodable, Sendable, Equatable {
        public var event: String
        public var resource: String
        /// Nil when the model never ranked it first during the event.
        public var rankedFirstAt: String?
        /// Seconds from the event's start …
        public var afterStart: Double?
        /// … and from its onset (negative: before the first concurrent writes); tenths of a second.
        public var afterOnset: Double?

        enum CodingKeys: String, CodingKey {
            case event, resource
            case rankedFirstAt = "ranked_first_at"
            case afterStart = "after_start_s"
            case afterOnset = "after_onset_s"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encode(resource, forKey: .resource)
            try c.encode(rankedFirstAt, forKey: .rankedFirstAt)
            try c.encode(afterStart, forKey: .afterStart)
            try c.encode(afterOnset, forKey: .afterOnset)
        }
    }

    public var horizonSeconds: Double
    public var bucketSeconds: Double
    /// Checkpoints scored (bucket boundaries with candidates and a full horizon of traffic after them).
    public var checkpoints: Int
    public var checkpointsWithPositives: Int
    /// (checkpoint, candidate) pairs and how many of them were positive.
    public var pairs: Int
    public var positives: Int
    /// Positives by route: where the conflicts to predict are.
    public var positivesByRoute: [String: Int]
    public var rankers: [Ranker]
    public var hotspotLeads: [HotspotLead] = []

    public func ranker(_ name: String) -> Ranker? { rankers.first { $0.name == name } }

    enum CodingKeys: String, CodingKey {
        case horizonSeconds = "horizon_seconds"
        case bucketSeconds = "bucket_seconds"
        case checkpoints
        case checkpointsWithPositives = "checkpoints_with_positives"
        case pairs, positives
        case baseRate = "base_rate"
        case positivesByRoute = "positives_by_route"
        case rankers
        case hotspotLeads = "hotspot_leads"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(horizonSeconds, forKey: .horizonSeconds)
        try c.encode(bucketSeconds, forKey: .bucketSeconds)
        try c.encode(checkpoints, forKey: .checkpoints)
        try c.encode(checkpointsWithPositives, forKey: .checkpointsWithPositives)
        try c.encode(pairs, forKey: .pairs)
        try c.encode(positives, forKey: .positives)
        try c.encode(pairs > 0 ? Double(positives) / Double(pairs) : nil, forKey: .baseRate)
        try c.encode(positivesByRoute, forKey: .positivesByRoute)
        try c.encode(rankers, forKey: .rankers)
        try c.encode(hotspotLeads, forKey: .hotspotLeads)
    }
}
