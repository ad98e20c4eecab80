import ConflictWatchCore
import ConflictWatchStore

/// Conflicts over time for the top routes (`GET /api/v1/series?since=&until=&top=&resolution=&all=`),
/// for the dashboard's charts, in traffic time (not the wall clock, so a replayed log charts too).
///
/// `resolution=minute` (the default) sums the per-minute rollups: without `since` the last six
/// hours of stored traffic (or less when less is stored), with `all=true` everything stored.
/// `resolution=bucket` sums the per-bucket rows (the model's bucket, default 10 s), which the
/// store keeps for the last hours only: without `since` the last `maxPoints` buckets (an hour
/// at 10 s) up to the newest. Either way a long window is summed into wider steps (whole
/// minutes or whole buckets) so a route never has more than `maxPoints` points.
public struct SeriesQuery: Sendable, Equatable {
    public static let path = "/api/v1/series"
    public static let parameterNames = ["since", "until", "top", "resolution", "all"]
    public static let defaultTop = 5
    public static let defaultMinutes: Int64 = 360
    public static let maxPoints: Int64 = 360

    public var since: String?
    public var until: String?
    public var top: Int
    public var resolution: ConflictSeries.Resolution
    /// Without `since`: from the oldest stored traffic instead of the default window.
    public var all: Bool

    public init(since: String? = nil, until: String? = nil, top: Int = defaultTop, resolution: ConflictSeries.Resolution = .minute,
                all: Bool = false) {
        self.since = since
        self.until = until
        self.top = top
        self.resolution = resolution
        self.all = all
    }

    public init(parameters pairs: [(String, String)]) throws(QueryParameterError) {
        let p = try QueryParameters(pairs, known: Self.parameterNames)
        self.init(since: try p.time("since"), until: try p.time("until"), top: try p.count("top") ?? Self.defaultTop,
                  resolution: try p.choice("resolution", ConflictSeries.Resolution.allCases) ?? .minute, all: try p.flag("all"))
        if all, since != nil { throw QueryParameterError("all", "cannot be combined with since (all starts at the oldest stored traffic)") }
    }

    public var parameters: [(String, String)] {
        var out: [(String, String)] = [("top", String(top))]
        if let since { out.append(("since", since)) }
        if let until { out.append(("until", until)) }
        if resolution != .minute { out.append(("resolution", resolution.rawValue)) }
        if all { out.append(("all", "true")) }
        return out
    }

    public func run(on store: some ResultStore, now: Int64 = QueryTime.nowMicros()) async throws -> ConflictSeries {
        switch resolution {
        case .minute: return try await minutes(store, now: now)
        case .bucket: return try await buckets(store, now: now)
        }
    }

    private func minutes(_ store: some ResultStore, now: Int64) async throws -> ConflictSeries {
        let window = try RouteQuery(since: since, until: until).window(now: now)
        guard let newest = try await store.newestMinute() else {
            return ConflictSeries(start: nil, end: nil, stepSeconds: 60, routes: [])
        }
        let last = min(window.untilMinute ?? newest, newest)
        let oldest = try await store.oldestMinute() ?? last
        let first = window.sinceMinute ?? (all ? oldest : max(last - Self.defaultMinutes + 1, oldest))
        guard first <= last else { return ConflictSeries(start: nil, end: nil, stepSeconds: 60, routes: []) }
        let counts = try await store.minuteCounts(sinceMinute: first, untilMinute: last, top: top)
        return Self.series(counts, first: first, last: last)
    }

    /// No bucket stored (a store written before `v6-route-buckets`, or no traffic): an empty
    /// series with `step_seconds` 0, so the page can say why the recent chart is empty.
    private func buckets(_ store: some ResultStore, now: Int64) async throws -> ConflictSeries {
        let empty = ConflictSeries(start: nil, end: nil, stepSeconds: 0, resolution: .bucket, routes: [])
        guard let extent = try await store.bucketExtent() else { return empty }
        let width = extent.width
        let sinceMicros = try AlertQuery.resolve(since, "since", now)
        let untilMicros = try AlertQuery.resolve(until, "until", now)
        let last = min(untilMicros.map { Self.floor($0, width) } ?? extent.newest, extent.newest)
        let first = sinceMicros.map { Self.floor($0, width) }
            ?? (all ? extent.oldest : max(last - (Self.maxPoints - 1) * width, Self.floor(extent.oldest, width)))
        guard first <= last else { return empty }
        let counts = try await store.bucketCounts(since: first, until: last, top: top)
        return Self.grid(counts.map { ($0.start, $0.route, $0.requests, $0.writes, $0.conflicts) },
                         first: first, last: last, unit: width, resolution: .bucket)
    }

    static func floor(_ micros: Int64, _ width: Int64) -> Int64 {
        (micros >= 0 ? micros / width : (micros - width + 1) / width) * width
    }

    /// Lays the counts on a grid of equal steps from `first` to `last` (minutes), zeros filled.
    static func series(_ counts: [ConflictStore.MinuteCounts], first: Int64, last: Int64) -> ConflictSeries {
        let perMinute: Int64 = 60_000_000
        return grid(counts.map { ($0.minute * perMinute, $0.route, $0.requests, $0.writes, $0.conflicts) },
                    first: first * perMinute, last: last * perMinute, unit: perMinute, resolution: .minute)
    }

    /// Lays counts at slot starts (microseconds, multiples of `unit` from `first`) on a grid of
    /// equal steps, each a whole number of units, from `first` to `last` (the last slot's start).
    static func grid(_ counts: [(start: Int64, route: String, requests: Int64, writes: Int64, conflicts: Int64)],
                     first: Int64, last: Int64, unit: Int64, resolution: ConflictSeries.Resolution) -> ConflictSeries {
        let span = (last - first) / unit + 1
        let step = max(1, (span + maxPoints - 1) / maxPoints)
        let slots = Int((span + step - 1) / step)
        var order: [String] = []
        var grid: [String: [ConflictSeries.Point]] = [:]
        func time(_ slot: Int) -> String { CivilTime.rfc3339(first + Int64(slot) * step * unit) }
        for c in counts {
            if grid[c.route] == nil {
                order.append(c.route)
                grid[c.route] = (0..<slots).map { ConflictSeries.Point(time: time($0), requests: 0, writes: 0, conflicts: 0) }
            }
            let slot = min(slots - 1, max(0, Int((c.start - first) / unit / step)))
            grid[c.route]![slot].requests += c.requests
            grid[c.route]![slot].writes += c.writes
            grid[c.route]![slot].conflicts += c.conflicts
        }
        let routes = order.map { route in
            ConflictSeries.Route(route: route, conflicts: grid[route]!.reduce(0) { $0 + $1.conflicts }, points: grid[route]!)
        }
        return ConflictSeries(start: CivilTime.rfc3339(first), end: CivilTime.rfc3339(last + unit),
                              stepSeconds: Int(step * unit / 1_000_000), resolution: resolution, routes: routes)
    }
}
