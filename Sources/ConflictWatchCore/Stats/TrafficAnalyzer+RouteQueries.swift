/// Route queries for per-minute rollups (the store's `RollupTracker`): deltas of the per-route
/// counters between two flushes, keyed by the raw route index (stable) and filed under the
/// route's reported name at that moment.
extension TrafficAnalyzer {
    /// The running values of the routes reported under one name (raw route indices) —
    /// writers, resources, latency quantiles, as `routeRows()` gives them for that name —
    /// without the row's other fields or any other route's (a rollup cut needs only these, per
    /// route and minute). One route's stats are read in place.
    public func routeRunningValues(indices: [Int]) -> (writers: Int, resources: Int, p50Ms: Double?, p99Ms: Double?) {
        func values(_ s: RouteStats) -> (writers: Int, resources: Int, p50Ms: Double?, p99Ms: Double?) {
            (s.writers.estimate, s.resources.estimate, Self.quantileMs(s.latency, 0.5), Self.quantileMs(s.latency, 0.99))
        }
        if indices.count == 1 { return resolver.routes.stats.withUnsafeBufferPointer { values($0[indices[0]]) } }
        var stats = resolver.routes.stats[indices[0]]
        for i in indices.dropFirst() { stats.merge(resolver.routes.stats[i]) }
        return values(stats)
    }

    /// Raw route `i`'s running counts, read in place. A cut compares every route's counts at
    /// every bucket: copying the route's stats out (status arrays, counters) for that cost a
    /// daemon catching up on a day's log a tenth of its time.
    public func routeCounts(at i: Int) -> (requests: UInt64, writes: UInt64, conflicts: UInt64) {
        resolver.routes.counts(at: i)
    }

    /// Raw route `i`'s responses by status (0: no response), in first-seen order.
    public func forEachStatus(ofRoute i: Int, _ body: (Int, UInt64) -> Void) {
        resolver.routes.forEachStatus(at: i, body)
    }

    /// Changes whenever a reported route name may have: a route was added or the normalizer
    /// learned a position. Lets a caller keep `reportedRouteNamesByIndex()` between calls.
    public var routeNamesVersion: (routes: Int, generation: Int) { (resolver.routes.count, resolver.normalizer.generation) }

    /// Reported route name of every raw route index, in index order.
    public mutating func reportedRouteNamesByIndex() -> [String] {
        let names = reportedRouteNames()
        return (0..<resolver.routes.count).map { i in
            let raw = resolver.routes.route(at: i)
            return names[raw] ?? raw
        }
    }
}

/// Totals for `/metrics`' labelled series (SPEC §9), read at each publish of the live status.
extension TrafficAnalyzer {
    /// Responses by status code over every route since the start; 0 stands for "no response".
    public func statusTotals() -> [Int: UInt64] {
        var totals: [Int: UInt64] = [:]
        for s in resolver.routes.stats {
            for (code, count) in zip(s.statusCodes, s.statusCounts) { totals[Int(code), default: 0] &+= count }
        }
        return totals
    }

    /// Writes and conflicts per reported route name (raw routes a learned position merged are
    /// summed), for every route with at least one write.
    public mutating func routeWriteTotals() -> [(route: String, writes: UInt64, conflicts: UInt64)] {
        let names = reportedRouteNamesByIndex()
        var totals: [String: (writes: UInt64, conflicts: UInt64)] = [:]
        for (i, s) in resolver.routes.stats.enumerated() where s.writes > 0 || s.conflicts > 0 {
            totals[names[i], default: (0, 0)].writes &+= s.writes
            totals[names[i], default: (0, 0)].conflicts &+= s.conflicts
        }
        return totals.map { ($0.key, $0.value.writes, $0.value.conflicts) }
    }
}

extension RouteRow {
    /// A row built outside the analyzer (from the store's rollups).
    public init(storedRoute route: String, requests: UInt64, writes: UInt64, conflicts: UInt64, statuses: [String: UInt64],
                conflictRatio: Double, writers: Int, resources: Int, p50Ms: Double?, p99Ms: Double?) {
        self.route = route
        self.requests = requests
        self.writes = writes
        self.conflicts = conflicts
        self.statuses = statuses
        self.conflictRatio = conflictRatio
        self.writers = writers
        self.resources = resources
        self.p50Ms = p50Ms
        self.p99Ms = p99Ms
    }
}
