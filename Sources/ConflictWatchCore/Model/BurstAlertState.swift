/// A burst while the model holds it: what its buckets showed, to classify and explain it from the
/// conflicts *above the baseline* (SPEC §5.4), and its lifecycle.
struct BurstAlertState {
    enum Scope: Equatable { case route(Int), client(UInt64), overall }

    struct Escalation: Equatable {
        var time: Int64
        var count: Int
        var expected: Double
    }

    var id: String
    var scope: Scope
    var routeIndex: Int
    var clientLabel: String?
    var start: Int64
    var lastAnomalousEnd: Int64
    var lifecycle = AlertLifecycle()
    /// Transitions told so far (the next one's sequence number).
    var transitions = 0
    var anomalousBuckets = 0
    var peakCount = 0
    var expectedAtPeak = 0.0
    /// Strongest evidence seen in any of its buckets (−log10 of the smallest tail probability).
    var maxScore = 0.0
    var conflicts = 0
    var writes = 0
    /// Σ of the baseline's expected conflicts over its buckets: conflicts − expected is the excess.
    var expected = 0.0
    /// Conflicts of creates (POST to a collection): unique-constraint refusals, not version races.
    var createConflicts = 0
    var statuses: [String: Int] = [:]
    var clients = SpaceSaving(capacity: 16)
    var resources = SpaceSaving(capacity: 16)
    /// Each client's and resource's conflicts above what it would have had at the baseline.
    var excessClients = SpaceSaving(capacity: 16)
    var excessResources = SpaceSaving(capacity: 16)
    var routesHit: [Int: Int] = [:]
    var samples: [Alert.Sample] = []
    /// Baseline writes per bucket and conflict ratio when it opened (load vs ratio).
    var baselineWritesPerBucket: Double
    var baselineRatio: Double
    var multiRoute = false
    /// The count the incident settled at in its first buckets: a later bucket far above it is a
    /// new step on top (escalation), not more of the same.
    var levelCount = 0
    var escalations: [Escalation] = []

    /// Buckets that set `levelCount` (a first bucket is often partial).
    static let levelBuckets = 3

    init(id: String, scope: Scope, routeIndex: Int, start: Int64, bucketEnd: Int64, baselineWritesPerBucket: Double, baselineRatio: Double) {
        self.id = id
        self.scope = scope
        self.routeIndex = routeIndex
        self.start = start
        self.lastAnomalousEnd = bucketEnd
        self.baselineWritesPerBucket = baselineWritesPerBucket
        self.baselineRatio = baselineRatio
    }

    var closedAt: Int64? { lifecycle.closedAt }

    /// Whether `count` is a new step: far above the level the alert settled at, and improbable
    /// even if that level were the new normal.
    func isEscalation(count: Int, factor: Double, alpha: Double, minConflicts: Int) -> Bool {
        guard anomalousBuckets >= Self.levelBuckets, count >= 2 * minConflicts else { return false }
        let level = Double(max(levelCount, minConflicts))
        guard Double(count) >= factor * level else { return false }
        return TailProbability.poisson(atLeast: count, mean: level) < alpha
    }

    /// Counts one anomalous bucket in; returns what the lifecycle says of it.
    mutating func absorb(count: Int, writes: Int, expected mu: Double, score: Double, bucketEnd: Int64, escalated: Bool) -> AlertLifecycle.Action {
        let action = lifecycle.anomalous(escalated: escalated)
        anomalousBuckets += 1
        lastAnomalousEnd = bucketEnd
        conflicts += count
        self.writes += writes
        expected += mu
        if score > maxScore { maxScore = score }
        if count > peakCount {
            peakCount = count
            expectedAtPeak = mu
        }
        if anomalousBuckets <= Self.levelBuckets { levelCount = max(levelCount, count) }
        if action == .escalate {
            escalations.append(Escalation(time: bucketEnd, count: count, expected: Double(levelCount)))
            levelCount = count
        }
        return action
    }

    mutating func absorbEvidence(from r: RouteModel, routeIndex: Int, statusNames: [String]) {
        clients.merge(r.bucketClients)
        resources.merge(r.bucketResources)
        createConflicts += Int(r.bucketCreateConflicts)
        routesHit[routeIndex, default: 0] += Int(r.bucketConflicts)
        for (i, n) in r.bucketStatuses.enumerated() where n > 0 { statuses[statusNames[i], default: 0] += Int(n) }
        for s in r.bucketSamples where samples.count < 64 { samples.append(s) }
    }

    /// Conflicts above the baseline over the alert's buckets.
    var excess: Double { max(0, Double(conflicts) - expected) }

    /// The share of the excess that the top entry of `sketch` owns (capped at 1).
    static func excessShare(_ sketch: SpaceSaving, excess: Double) -> Double {
        guard let top = sketch.top(1).first, top.count > 0 else { return 0 }
        return min(1, Double(top.count) / max(excess, Double(top.count)))
    }
}
