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
        /// Counts per status in the route's first-seen order of statuses (which only grows).
        var statusCounts: [UInt64] = []
    }

    private var seen: [Seen] = []
    /// Reported name of each raw route index at the last cut, to notice renames.
    private var lastNames: [String] = []
    /// The distinct reported names in order, each raw index's number among them, and the raw
    /// indices under each number, as of the analyzer's `routeNamesVersion` below: a cut gathers
    /// its rows by number (a day's backlog cuts thousands of minutes and buckets a second;
    /// hashing names for each was more than the rows themselves).
    private var sortedNames: [String] = []
    private var nameNumbers: [Int] = []
    private var indicesByNumber: [[Int]] = []
    /// Per name number, the bucket row and minute row being gathered by a cut.
    private var bucketRows: [(requests: Int64, writes: Int64, conflicts: Int64, used: Bool)] = []
    private var minuteRows: [RouteRollup?] = []
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
        dropBucketsBehindWindow()
        defer { buckets.removeAll(keepingCapacity: true) }
        return buckets
    }

    private mutating func cutBucket(_ index: Int64, analyzer: inout TrafficAnalyzer) {
        let count = analyzer.routes.count
        if bucketSeen.count < count { bucketSeen += Array(repeating: (0, 0, 0), count: count - bucketSeen.count) }
        refreshNames(&analyzer)
        var any = false
        for i in 0..<count {
            let s = analyzer.routeCounts(at: i)
            let seen = bucketSeen[i]
            guard s.requests != seen.requests else { continue }
            let k = nameNumbers[i]
            bucketRows[k].requests += Int64(s.requests) - Int64(seen.requests)
            bucketRows[k].writes += Int64(s.writes) - Int64(seen.writes)
            bucketRows[k].conflicts += Int64(s.conflicts) - Int64(seen.conflicts)
            bucketRows[k].used = true
            bucketSeen[i] = s
            any = true
        }
        guard any else { return }
        let start = index * bucketMicros
        for k in bucketRows.indices where bucketRows[k].used {
            let r = bucketRows[k]
            buckets.append(RouteBucket(start: start, width: bucketMicros, route: sortedNames[k], requests: r.requests,
                                       writes: r.writes, conflicts: r.conflicts))
            bucketRows[k] = (0, 0, 0, false)
        }
        // Amortised: the window is checked only once the rows could exceed it many times over.
        if buckets.count > 65_536 { dropBucketsBehindWindow() }
    }

    /// Drops the rows the store would delete at once: older than its window behind the newest.
    private mutating func dropBucketsBehindWindow() {
        guard let newest = buckets.last?.start else { return }
        buckets.removeAll { $0.start < newest - ConflictStore.bucketWindowMicros }
    }

    private mutating func refreshNames(_ analyzer: inout TrafficAnalyzer) {
        guard analyzer.routeNamesVersion != namesVersion else { return }
        let names = analyzer.reportedRouteNamesByIndex()
        namesVersion = analyzer.routeNamesVersion
        for (i, old) in lastNames.enumerated() where old != names[i] { aliases[old] = names[i] }
        lastNames = names
        sortedNames = Set(names).sorted()
        var number: [String: Int] = [:]
        for (k, n) in sortedNames.enumerated() { number[n] = k }
        nameNumbers = names.map { number[$0]! }
        indicesByNumber = Array(repeating: [], count: sortedNames.count)
        for (i, k) in nameNumbers.enumerated() { indicesByNumber[k].append(i) }
        // Between cuts nothing is gathered, so the scratch rows start empty.
        bucketRows = Array(repeating: (0, 0, 0, false), count: sortedNames.count)
        minuteRows = Array(repeating: nil, count: sortedNames.count)
    }

    /// The deltas since the last cut, filed under `minute`. Names are rebuilt only when they
    /// may have changed, and running values only for the routes that saw traffic.
    public mutating func cut(_ minute: Int64, analyzer: inout TrafficAnalyzer) -> [RouteRollup] {
        let count = analyzer.routes.count
        if seen.count < count { seen += Array(repeating: Seen(), count: count - seen.count) }
        refreshNames(&analyzer)
        var any = false
        for i in 0..<count {
            let c = analyzer.routeCounts(at: i)
            guard c.requests != seen[i].requests else { continue }
            let k = nameNumbers[i]
            var statuses: [String: Int64] = [:]
            var now: [UInt64] = []
            now.reserveCapacity(seen[i].statusCounts.count + 1)
            analyzer.forEachStatus(ofRoute: i) { status, n in
                let before = now.count < seen[i].statusCounts.count ? seen[i].statusCounts[now.count] : 0
                now.append(n)
                if n != before { statuses[String(status), default: 0] += Int64(n) - Int64(before) }
            }
            let delta = RouteRollup(
                minute: minute, route: sortedNames[k],
                requests: Int64(c.requests) - Int64(seen[i].requests),
                writes: Int64(c.writes) - Int64(seen[i].writes),
                conflicts: Int64(c.conflicts) - Int64(seen[i].conflicts),
                statuses: statuses, writers: 0, resources: 0, p50Ms: nil, p99Ms: nil)
            if minuteRows[k] == nil { minuteRows[k] = delta } else { minuteRows[k]!.add(delta) }
            seen[i] = Seen(requests: c.requests, writes: c.writes, conflicts: c.conflicts, statusCounts: now)
            any = true
        }
        guard any else { return [] }
        var out: [RouteRollup] = []
        for k in minuteRows.indices {
            guard var row = minuteRows[k] else { continue }
            minuteRows[k] = nil
            // The running values once per name, for the routes that saw traffic.
            let r = analyzer.routeRunningValues(indices: indicesByNumber[k])
            row.writers = r.writers
            row.resources = r.resources
            row.p50Ms = r.p50Ms
            row.p99Ms = r.p99Ms
            out.append(row)
        }
        return out
    }

    /// Hands the renames over to a flush.
    public mutating func takeAliases() -> [String: String] {
        defer { aliases.removeAll() }
        return aliases
    }
}
