/// The synchronous heart of the pipeline: exchange in, route and per-route accounting out.
/// One instance per ingest task; it never blocks, allocates only on a new route, and hands
/// nothing across threads (SPEC §5.2, the route part; the contention model builds on it).
public struct TrafficAnalyzer {
    /// Path → route index (normalizer, route table, path cache).
    package internal(set) var resolver: RouteResolver
    public var normalizer: RouteNormalizer { resolver.normalizer }
    package var routes: RouteTable { resolver.routes }
    package let traffic: TrafficClass
    public private(set) var exchanges: UInt64 = 0
    public private(set) var writes: UInt64 = 0
    public private(set) var conflicts: UInt64 = 0
    public private(set) var firstTime: Int64 = .max
    public private(set) var lastTime: Int64 = .min
    public internal(set) var model: ContentionModel
    private var namesCache: (version: (Int, Int), names: [String: String])?
    /// A fleet agent's copy of every exchange it accounts, shipped with each commit (SPEC §7);
    /// nil on a single server.
    package var fleetTap: FleetSummaryWriter?

    public init(parameters: ModelParameters = ModelParameters()) {
        resolver = RouteResolver(parameters: parameters)
        traffic = TrafficClass(writeMethods: parameters.writeMethods, conflictStatuses: parameters.conflictStatuses)
        model = ContentionModel(parameters: parameters)
    }

    /// Accounts one exchange: route statistics and the contention model. Returns the index of
    /// the route it was counted under (the fleet aggregator notes which agents each route's
    /// traffic came through).
    @inline(__always) @discardableResult
    public mutating func record(_ x: ExchangeView) -> Int {
        let pathHash = ByteHash.hash(x.path)
        let idx = resolver.resolve(x, pathHash: pathHash)
        account(x, route: idx, pathHash: pathHash, clientHash: ByteHash.hash(x.client))
        return idx
    }

    /// Accounts one exchange whose route another thread resolved (`RouteResolver.resolveNoting`
    /// on the same exchanges in the same order): `newRoute` are the bytes it noted for an index
    /// this analyzer has not seen yet.
    @inline(__always)
    package mutating func record(_ x: ExchangeView, route idx: Int, newRoute: UnsafeRawBufferPointer?, pathHash: UInt64, clientHash: UInt64) {
        if let newRoute, idx >= resolver.routes.count {
            let mirrored = resolver.mirror(route: newRoute)
            precondition(mirrored == idx, "route tables out of step: \(mirrored) here, \(idx) on the reading thread")
        }
        account(x, route: idx, pathHash: pathHash, clientHash: clientHash)
    }

    /// See `ContentionModel.prefetch`: for an exchange `record` will see a few calls later.
    /// Mutating only so that the analyzer is passed by reference: a caller in another module
    /// would otherwise get a copy of it per call.
    @inline(__always)
    package mutating func prefetch(method: UnsafeRawBufferPointer, pathHash: UInt64, clientHash: UInt64, far: Bool) {
        model.prefetch(pathHash: pathHash, clientHash: clientHash, isWrite: traffic.isWrite(method), far: far)
    }

    /// Takes over the route normalizer of the thread that resolves routes (what it learned up
    /// to the exchange just accounted), so reported route names are what one thread would give.
    package mutating func adopt(normalizer: RouteNormalizer) { resolver.adopt(normalizer: normalizer) }

    @inline(__always)
    private mutating func account(_ x: ExchangeView, route idx: Int, pathHash: UInt64, clientHash: UInt64) {
        let isWrite = traffic.isWrite(x.method)
        let isConflict = traffic.isConflict(x.status)
        if fleetTap != nil { fleetTap!.append(x, clientHash: clientHash) }
        exchanges &+= 1
        if isWrite { writes &+= 1 }
        if isConflict { conflicts &+= 1 }
        if x.time < firstTime { firstTime = x.time }
        if x.time > lastTime { lastTime = x.time }
        resolver.routes.withStats(at: idx) { s in
            s.requests &+= 1
            s.countStatus(x.status)
            s.resources.insert(pathHash)
            if isWrite {
                s.writes &+= 1
                s.writers.insert(clientHash)
            }
            if isConflict { s.conflicts &+= 1 }
            if x.latencyMicros >= 0 { s.latency.record(micros: x.latencyMicros) }
        }
        // The route's bytes only for a route the model has not seen: reaching them retains the
        // key's storage.
        if idx < model.routes.count {
            model.observe(x, routeIndex: idx, route: nil, pathHash: pathHash, clientHash: clientHash,
                          isWrite: isWrite, isConflict: isConflict)
        } else {
            resolver.routes.withKey(at: idx) { route in
                model.observe(x, routeIndex: idx, route: route, pathHash: pathHash, clientHash: clientHash,
                              isWrite: isWrite, isConflict: isConflict)
            }
        }
    }

    /// End of input: tests the last bucket. Call once, before reading alerts.
    public mutating func finish() { model.finish() }

    /// Route names as first seen → as reported after what was learned since. Kept until a
    /// route is added or the normalizer learns, since the daemon asks at every flush.
    package mutating func reportedRouteNames() -> [String: String] {
        let version = (resolver.routes.count, resolver.normalizer.generation)
        if let cached = namesCache, cached.version == version { return cached.names }
        var names: [String: String] = [:]
        for i in 0..<resolver.routes.count {
            let raw = resolver.routes.route(at: i)
            names[raw] = resolver.routes.keys[i].withUnsafeBytes { resolver.normalizer.renormalize(route: $0).lossyString }
        }
        namesCache = (version, names)
        return names
    }

    /// Every alert of the run, open and closed, ordered by start.
    public mutating func alerts() -> [Alert] {
        let names = reportedRouteNames()
        return model.alerts { names[$0] ?? $0 }
    }

    /// Alerts whose report changed and the transitions of their lives since the last call (for
    /// the daemon, which stores and tells only those).
    public mutating func takeAlertChanges() -> (alerts: [Alert], transitions: [AlertTransition]) {
        let names = reportedRouteNames()
        return model.takeAlertChanges { names[$0] ?? $0 }
    }

    /// Whether closed alerts are kept (analyze) or dropped once taken (the daemon).
    public var keepsClosedAlerts: Bool {
        get { model.keepsClosedAlerts }
        set { model.keepsClosedAlerts = newValue }
    }

    /// Moves the model's clock on without traffic (an idle source); true when a bucket closed.
    @discardableResult
    public mutating func advanceClock(to t: Int64) -> Bool {
        let before = model.currentBucket
        model.advanceClock(to: t)
        return model.currentBucket != before
    }

    /// The alerts open now, with their reported route names.
    public mutating func openAlerts() -> [Alert] {
        // Naming routes walks all of them; most of the time nothing is open.
        guard model.openAlertCount > 0 else { return [] }
        let names = reportedRouteNames()
        return model.openAlerts { names[$0] ?? $0 }
    }

    /// The current hot spots, most likely to conflict first.
    public mutating func hotspots(top: Int) -> [HotspotRow] {
        let names = reportedRouteNames()
        return model.hotspotRows(top: top) { names[$0] ?? $0 }
    }

    /// Learned per-route baselines for `train`.
    public mutating func learnedBaselines() -> [String: RouteBaseline] {
        let names = reportedRouteNames()
        return model.learnedBaselines { names[$0] ?? $0 }
    }

    /// Route only, without accounting (for `parse`).
    @inline(__always)
    public mutating func route(of x: ExchangeView) -> UnsafeRawBufferPointer {
        resolver.normalizer.normalize(path: x.path, hasRequestLine: x.hasRequestLine)
    }

    /// One route's row from its (possibly merged) statistics.
    static func row(route: String, stats s: RouteStats) -> RouteRow {
        var statuses: [String: UInt64] = [:]
        for (status, count) in s.statuses { statuses[String(status)] = count }
        return RouteRow(
            route: route, requests: s.requests, writes: s.writes, conflicts: s.conflicts, statuses: statuses,
            conflictRatio: s.writes > 0 ? Double(s.conflicts) / Double(s.writes) : 0,
            writers: s.writers.estimate, resources: s.resources.estimate,
            p50Ms: quantileMs(s.latency, 0.5), p99Ms: quantileMs(s.latency, 0.99))
    }

    /// A latency quantile in milliseconds, to the microsecond.
    static func quantileMs(_ h: LatencyHistogram, _ q: Double) -> Double? {
        h.quantile(q).map { ($0 / 1000 * 1000).rounded() / 1000 }
    }

    /// The routes table, re-keyed with everything learned (so `/users/alice`, seen before the
    /// position was learned as `{var}`, joins `/users/{var}`), ordered by conflicts, then writes,
    /// then requests.
    public mutating func routeRows() -> [RouteRow] {
        var merged: [String: RouteStats] = [:]
        var order: [String] = []
        for i in 0..<resolver.routes.count {
            let key = resolver.routes.keys[i].withUnsafeBytes { resolver.normalizer.renormalize(route: $0).lossyString }
            if merged[key] == nil { order.append(key); merged[key] = resolver.routes.stats[i] } else { merged[key]!.merge(resolver.routes.stats[i]) }
        }
        var rows = order.map { Self.row(route: $0, stats: merged[$0]!) }
        rows.sort {
            ($0.conflicts, $0.writes, $0.requests, $1.route) > ($1.conflicts, $1.writes, $1.requests, $0.route)
        }
        return rows
    }
}
