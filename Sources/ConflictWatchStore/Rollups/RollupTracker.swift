import ConflictWatchCore

/// Turns the analyzer's running per-route counters into per-minute deltas for the store, and
/// into per-bucket counts (the model's bucket) for the recent fine series. Counters are
/// compared per raw route index (stable for the analyzer's life); each delta is filed under
/// the route's reported name at the moment of the cut, so routes renamed by learning keep their
/// history under the old name and count on under the new one. The daemon cuts at each flush;
/// `analyze --state-dir` once at the end.
public struct RollupTracker {
    private struct Seen {
        var requests: UInt64 = 0
        var writes: UInt64 = 0
        var conflicts: UInt64 = 0
        var statuses: [Int: UInt64] = [:]
    }

    private var seen: [Seen] = []
    /// Reported name of each raw route index at the last cut, to notice renames.
    private var lastNames: [String] = []
    /// Reported names by raw index, the indices under each name, and the analyzer's
    /// `routeNamesVersion` they were built at.
    private var names: [String] = []
    private var indicesByName: [String: [Int]] = [:]
    private var namesVersion = (routes: -1, generation: -1)
    /// Renames noticed since the last flush (old name → new), for the store's alias table.
    public private(set) var aliases: [String: String] = [:]
    /// The traffic minute being accumulated (minutes since the epoch), nil before any traffic.
    public private(set) var minute: Int64?

    /// Counters at the last bucket cut, per raw route index (counts only: they add up).
    private var bucketSeen: [(requests: UInt64, writes: UInt64, conflicts: UInt64)] = []
    /// The bucket being accumulated (index: start / width), nil before any traffic.
    private var bucket: Int64?
    private let bucketMicros: Int64
    /// Bucket rows cut and not yet taken (`takeBuckets`), oldest first.
    private var buckets: [RouteBucket] = []

    /// `bucketSeconds`: the model's bucket (SPEC §5.2), the fine series' resolution.
    public init(bucketSeconds: Double = 10) {
        bucketMicros = max(1_000_000, Int64((bucketSeconds * 1e6).rounded()))
    }

    static let microsPerMinute: Int64 = 60 * 1_000_000

    static func minute(of micros: Int64) -> Int64 {
        micros >= 0 ? micros / microsPerMinute : (micros - microsPerMinute + 1) / microsPerMinute
    }

    /// Called before an exchange is recorded: a later minute first cuts the current one.
    /// Lines a little out of order (an earlier minute) count in the current minute (and bucket).
    @inline(__always)
    public mutating func willRecord(time: Int64, analyzer: inout TrafficAnalyzer, into out: inout [RouteRollup]) {
        let b = Self.floorDiv(time, bucketMicros)
        if let current = bucket {
            if b > current {
                cutBucket(current, analyzer: &analyzer)
                bucket = b
            }
        } else {
            bucket = b
        }
        let m = Self.minute(of: time)
        if let current = minute {
            if m <= current { return }
            out += cut(current, analyzer: &analyzer)
        }
        minute = m
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }

    /// The bucket rows cut so far plus the current bucket's counts up to now (the store adds a
    /// bucket's later counts to the same row). Rows older than the store's bucket window
    /// behind the newest are dropped here already: an offline run over days keeps only hours.
    public mutating func takeBuckets(analyzer: inout TrafficAnalyzer) -> [RouteBucket] {
        if let b = bucket { cutBucket(b, analyzer: &analyzer) }
        defer { buckets.removeAll(keepingCapacity: true) }
        return buckets
    }

    private mutating func cutBucket(_ index: Int64, analyzer: inout TrafficAnalyzer) {
        let count = analyzer.routes.count
        if bucketSeen.count < count { bucketSeen += Array(repeating: (0, 0, 0), count: count - bucketSeen.count) }
        refreshNames(&analyzer)
        var byName: [String: RouteBucket] = [:]
        let start = index * bucketMicros
        for i in 0..<count {
            let s = analyzer.routes.stats[i]
            let seen = bucketSeen[i]
            guard s.requests != seen.requests else { continue }
            let name = names[i]
            var row = byName[name] ?? RouteBucket(start: start, width: bucketMicros, route: name, requests: 0, writes: 0, conflicts: 0)
            row.requests += Int64(s.requests) - Int64(seen.requests)
            row.writes += Int64(s.writes) - Int64(seen.writes)
            row.conflicts += Int64(s.conflicts) - Int64(seen.conflicts)
            byName[name] = row
            bucketSeen[i] = (s.requests, s.writes, s.conflicts)
        }
        buckets += byName.keys.sorted().map { byName[$0]! }
        // Amortised: the window is checked only once the rows could exceed it many times over.
        if buckets.count > 65_536, let newest = buckets.last?.start {
            buckets.removeAll { $0.start < newest - ConflictStore.bucketWindowMicros }
        }
    }

    private mutating func refreshNames(_ analyzer: inout TrafficAnalyzer) {
        guard analyzer.routeNamesVersion != namesVersion else { return }
        names = analyzer.reportedRouteNamesByIndex()
        namesVersion = analyzer.routeNamesVersion
        indicesByName = [:]
        for (i, n) in names.enumerated() { indicesByName[n, default: []].append(i) }
        for (i, old) in lastNames.enumerated() where old != names[i] { aliases[old] = names[i] }
        lastNames = names
    }

    /// The deltas since the last cut, filed under `minute`. Names are rebuilt only when they
    /// may have changed, and running values only for the routes that saw traffic.
    public mutating func cut(_ minute: Int64, analyzer: inout TrafficAnalyzer) -> [RouteRollup] {
        let count = analyzer.routes.count
        if seen.count < count { seen += Array(repeating: Seen(), count: count - seen.count) }
        refreshNames(&analyzer)
        var byName: [String: RouteRollup] = [:]
        var running: [String: RouteRow] = [:]
        for i in 0..<count {
            let s = analyzer.routes.stats[i]
            guard s.requests != seen[i].requests else { continue }
            let name = names[i]
            if running[name] == nil { running[name] = analyzer.routeRow(named: name, indices: indicesByName[name] ?? [i]) }
            let r = running[name]!
            var statuses: [String: Int64] = [:]
            var now: [Int: UInt64] = [:]
            for (status, c) in s.statuses {
                now[status] = c
                let d = Int64(c) - Int64(seen[i].statuses[status] ?? 0)
                if d != 0 { statuses[String(status), default: 0] += d }
            }
            let delta = RouteRollup(
                minute: minute, route: name,
                requests: Int64(s.requests) - Int64(seen[i].requests),
                writes: Int64(s.writes) - Int64(seen[i].writes),
                conflicts: Int64(s.conflicts) - Int64(seen[i].conflicts),
                statuses: statuses, writers: r.writers, resources: r.resources,
                p50Ms: r.p50Ms, p99Ms: r.p99Ms)
            if byName[name] == nil { byName[name] = delta } else { byName[name]!.add(delta) }
            seen[i] = Seen(requests: s.requests, writes: s.writes, conflicts: s.conflicts, statuses: now)
        }
        return byName.keys.sorted().map { byName[$0]! }
    }

    /// Hands the renames over to a flush.
    public mutating func takeAliases() -> [String: String] {
        defer { aliases.removeAll() }
        return aliases
    }
}
