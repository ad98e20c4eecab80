/// An alert while it is open: what has been seen since it started, to classify and explain it
/// when it is reported.
struct BurstAlertState {
    enum Scope: Equatable { case route(Int), client(UInt64), overall }

    var id: String
    var scope: Scope
    var routeIndex: Int
    var clientLabel: String?
    var start: Int64
    var lastAnomalousEnd: Int64
    var closedAt: Int64?
    var quietBuckets = 0
    var anomalousBuckets = 0
    var peakCount = 0
    var expectedAtPeak = 0.0
    /// Strongest evidence seen in any of its buckets (−log10 of the smallest tail probability).
    var maxScore = 0.0
    var conflicts = 0
    var writes = 0
    var statuses: [String: Int] = [:]
    var clients = SpaceSaving(capacity: 16)
    var resources = SpaceSaving(capacity: 16)
    var routesHit: [Int: Int] = [:]
    var samples: [Alert.Sample] = []
    /// Baseline writes per bucket and conflict ratio when it opened (load vs ratio).
    var baselineWritesPerBucket: Double
    var baselineRatio: Double
    var multiRoute = false

    init(id: String, scope: Scope, routeIndex: Int, start: Int64, bucketEnd: Int64, baselineWritesPerBucket: Double, baselineRatio: Double) {
        self.id = id
        self.scope = scope
        self.routeIndex = routeIndex
        self.start = start
        self.lastAnomalousEnd = bucketEnd
        self.baselineWritesPerBucket = baselineWritesPerBucket
        self.baselineRatio = baselineRatio
    }

    mutating func absorb(count: Int, writes: Int, expected: Double, score: Double, bucketEnd: Int64) {
        anomalousBuckets += 1
        quietBuckets = 0
        lastAnomalousEnd = bucketEnd
        conflicts += count
        self.writes += writes
        if score > maxScore { maxScore = score }
        if count > peakCount {
            peakCount = count
            expectedAtPeak = expected
        }
    }

    mutating func absorbEvidence(from r: RouteModel, routeIndex: Int, statusNames: [String]) {
        clients.merge(r.bucketClients)
        resources.merge(r.bucketResources)
        routesHit[routeIndex, default: 0] += Int(r.bucketConflicts)
        for (i, n) in r.bucketStatuses.enumerated() where n > 0 { statuses[statusNames[i], default: 0] += Int(n) }
        for s in r.bucketSamples where samples.count < 64 { samples.append(s) }
    }
}
