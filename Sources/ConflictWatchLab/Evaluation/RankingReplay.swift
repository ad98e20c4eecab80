import ConflictWatchCore

/// Replays a log through the model in time order and, at every bucket boundary, ranks the
/// resources written within the last horizon H three ways:
///
/// - `model`: the model's own ranking, in the order `ContentionModel.resourceScores(at:)`
///   returns it (whatever score the model ranks by; the replay never re-sorts it by
///   probability, which saturates at 1; see `orderScores`). A resource it does not rank yet,
///   below `min_writes`, comes after every ranked one;
/// - `recent_writes`: its writes in the last H;
/// - `recent_conflicts`: its conflicts in the last H.
///
/// A candidate is positive when it sees a conflict within the next H. Labels need the future,
/// so rankings are kept and labelled at the end; checkpoints less than H before the end of the
/// traffic are left out (their future is cut short). Each ranker sees only the past.
///
/// For each hot-spot event it is given, it also probes the model's ranking every second from
/// the event's start to its end, and records when the event's resource is first ranked #1.
public struct RankingReplay {
    public private(set) var analyzer: TrafficAnalyzer
    /// Names the routes of the report; separate from the analyzer's so the replay cannot
    /// change what the model learns.
    var normalizer: RouteNormalizer
    let horizon: Int64
    let bucket: Int64

    var ids: [String: Int] = [:]
    var names: [String] = []
    var routeOf: [String] = []
    var writeTimes: [[Int64]] = []
    var conflictTimes: [[Int64]] = []
    var lastWrite: [Int64] = []
    /// Resources written within H of the last checkpoint.
    var active: [Int] = []
    var isActive: [Bool] = []
    var nextCheckpoint: Int64?
    var checkpoints: [Checkpoint] = []
    var watches: [Watch]
    static let probeMicros: Int64 = 1_000_000

    /// A hot-spot event whose resource's rise in the ranking is timed.
    struct Watch {
        var event: TimedEvent
        var resource: String
        var next: Int64
        var rankedFirst: Int64?
        var done: Bool { rankedFirst != nil || next > event.end }
    }

    struct Checkpoint {
        var time: Int64
        var ids: [Int]
        var model: [Double]
        var writes: [Double]
        var conflicts: [Double]
    }

    static let rankerNames = ["model", "recent_writes", "recent_conflicts"]

    public init(parameters: ModelParameters, watching events: [TimedEvent] = []) {
        watches = events.compactMap { e in
            guard e.isHotspot, let r = e.event.resource else { return nil }
            return Watch(event: e, resource: r, next: e.start)
        }
        analyzer = TrafficAnalyzer(parameters: parameters)
        normalizer = RouteNormalizer(
            varThreshold: parameters.routes.varThreshold, maxLearnedPositions: parameters.routes.maxLearnedPositions,
            templates: parameters.routes.templates)
        horizon = Int64(parameters.horizonSeconds * 1e6)
        bucket = Int64(parameters.bucketSeconds * 1e6)
    }

    public mutating func observe(_ x: ExchangeView) {
        let t = x.time
        if nextCheckpoint == nil { nextCheckpoint = Self.floor(t, bucket) + bucket }
        while let n = nextCheckpoint, t >= n {
            checkpoint(at: n)
            // A long gap with nothing written lately: skip its empty checkpoints.
            nextCheckpoint = active.isEmpty ? max(n + bucket, Self.floor(t, bucket)) : n + bucket
        }
        probe(before: t)
        analyzer.record(x)
        // Creates (POST to a collection) make new resources and cannot race on a version: the
        // ranking is about resources several clients write (SPEC §5.3), so they are no candidates
        // for any ranker; a rush of refused creates is a burst's business (duplicate_create).
        guard analyzer.traffic.isWrite(x.method), !x.method.equals("POST") else { return }
        let path = x.path.lossyString
        let id: Int
        if let known = ids[path] {
            id = known
        } else {
            id = names.count
            ids[path] = id
            names.append(path)
            routeOf.append(normalizer.normalize(path: x.path, hasRequestLine: x.hasRequestLine).lossyString)
            writeTimes.append([])
            conflictTimes.append([])
            lastWrite.append(.min)
            isActive.append(false)
        }
        Self.insert(t, into: &writeTimes[id])
        if analyzer.traffic.isConflict(x.status) { Self.insert(t, into: &conflictTimes[id]) }
        lastWrite[id] = max(lastWrite[id], t)
        if !isActive[id] {
            isActive[id] = true
            active.append(id)
        }
    }

    mutating func checkpoint(at t: Int64) {
        active.removeAll { id in
            let gone = lastWrite[id] < t - horizon
            if gone { isActive[id] = false }
            return gone
        }
        guard !active.isEmpty else { return }
        var score: [String: Double] = [:]
        for (resource, value) in Self.orderScores(analyzer.model.resourceScores(at: t).map { ($0.resource, $0.score) }) {
            score[resource] = value
        }
        var c = Checkpoint(time: t, ids: active, model: [], writes: [], conflicts: [])
        for id in active {
            c.model.append(score[names[id]] ?? 0)
            c.writes.append(Double(Self.count(writeTimes[id], from: t - horizon, to: t)))
            c.conflicts.append(Double(Self.count(conflictTimes[id], from: t - horizon, to: t)))
        }
        checkpoints.append(c)
    }

    /// Scores that keep the model's order exactly and stay comparable across checkpoints (PR-AUC
    /// pools them): the k-th resource of the list scores the highest probability at or after
    /// position k (its own when the list is in probability order, lifted when the model ranks
    /// it above likelier ones), plus a step far below any probability difference that orders
    /// ties — e.g. the many busy resources at probability 1 — as the model lists them. A
    /// resource the model does not list scores 0.
    static func orderScores(_ ranked: [(resource: String, probability: Double)]) -> [(String, Double)] {
        var out = Array(repeating: ("", 0.0), count: ranked.count)
        var floor = 0.0
        for k in ranked.indices.reversed() {
            floor = max(floor, ranked[k].probability)
            out[k] = (ranked[k].resource, floor + 1e-9 * Double(ranked.count - k) / Double(ranked.count))
        }
        return out
    }

    /// Every probe time up to `t` of the watched events (each sees the exchanges before it, like a checkpoint): is the resource the model's #1?
    mutating func probe(before t: Int64) {
        for w in watches.indices {
            while !watches[w].done, watches[w].next <= t {
                let p = watches[w].next
                if analyzer.model.resourceScores(at: p).first?.resource == watches[w].resource {
                    watches[w].rankedFirst = p
                } else {
                    watches[w].next = p + Self.probeMicros
                }
            }
        }
    }

    /// When each watched event's resource was first ranked #1.
    public var hotspotLeads: [RankingEvaluation.HotspotLead] {
        watches.map { w in
            let seconds = { (from: Int64) in w.rankedFirst.map { (Double($0 - from) / 1e5).rounded() / 10 } }
            return RankingEvaluation.HotspotLead(
                event: w.event.event.id, resource: w.resource, rankedFirstAt: w.rankedFirst.map(CivilTime.rfc3339),
                afterStart: seconds(w.event.start), afterOnset: w.event.onset.flatMap(seconds))
        }
    }

    /// Labels every checkpoint and scores the three rankers.
    public func evaluate() -> RankingEvaluation {
        let end = analyzer.lastTime
        var pooled = Array(repeating: [RankingMetrics.Scored](), count: Self.rankerNames.count)
        var precisions = Array(repeating: [Double](), count: Self.rankerNames.count)
        var slots = Array(repeating: [String: Int](), count: Self.rankerNames.count)
        var scored = 0, withPositives = 0, pairs = 0, positives = 0
        var positivesByRoute: [String: Int] = [:]
        for c in checkpoints where c.time + horizon <= end {
            scored += 1
            let labels = c.ids.map { Self.count(conflictTimes[$0], from: c.time, to: c.time + horizon) > 0 }
            let hits = labels.filter { $0 }.count
            pairs += labels.count
            positives += hits
            for (i, id) in c.ids.enumerated() where labels[i] { positivesByRoute[routeOf[id], default: 0] += 1 }
            if hits > 0 { withPositives += 1 }
            for (r, scores) in [c.model, c.writes, c.conflicts].enumerated() {
                let items = zip(scores, labels).map { RankingMetrics.Scored($0, $1) }
                pooled[r].append(contentsOf: items)
                if hits > 0, let p = RankingMetrics.precision(at: 10, items) { precisions[r].append(p) }
                // Which routes fill the top 10 (ties in first-written order).
                let top = scores.indices.sorted { (scores[$0], c.ids[$1]) > (scores[$1], c.ids[$0]) }.prefix(10)
                for i in top { slots[r][routeOf[c.ids[i]], default: 0] += 1 }
            }
        }
        let rankers = Self.rankerNames.enumerated().map { r, name in
            let total = Double(slots[r].values.reduce(0, +))
            return RankingEvaluation.Ranker(
                name: name,
                precisionAt10: precisions[r].isEmpty ? nil : Self.round(precisions[r].reduce(0, +) / Double(precisions[r].count)),
                prAUC: RankingMetrics.averagePrecision(pooled[r]).map(Self.round),
                top10Routes: slots[r].mapValues { Self.round(Double($0) / max(total, 1)) })
        }
        return RankingEvaluation(
            horizonSeconds: Double(horizon) / 1e6, bucketSeconds: Double(bucket) / 1e6, checkpoints: scored,
            checkpointsWithPositives: withPositives, pairs: pairs, positives: positives,
            positivesByRoute: positivesByRoute, rankers: rankers, hotspotLeads: hotspotLeads)
    }

    /// Whether `resource` saw a conflict in [from, to) (for hotspot-alert precision).
    public func conflicted(_ resource: String, from: Int64, to: Int64) -> Bool {
        guard let id = ids[resource] else { return false }
        return Self.count(conflictTimes[id], from: from, to: to) > 0
    }

    // MARK: - Helpers

    static func floor(_ t: Int64, _ b: Int64) -> Int64 { t >= 0 ? t / b * b : (t - b + 1) / b * b }

    static func round(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }

    /// Keeps the list sorted; logs are in time order, so this is an append but for stragglers.
    static func insert(_ t: Int64, into times: inout [Int64]) {
        guard let last = times.last, t < last else { times.append(t); return }
        times.insert(t, at: lowerBound(times, t))
    }

    /// Elements in [from, to) of a sorted list.
    static func count(_ times: [Int64], from: Int64, to: Int64) -> Int {
        lowerBound(times, to) - lowerBound(times, from)
    }

    static func lowerBound(_ a: [Int64], _ v: Int64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
