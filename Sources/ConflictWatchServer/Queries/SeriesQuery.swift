import ConflictWatchCore
import ConflictWatchStore

/// Conflicts over time for the top routes (`GET /api/v1/series?since=&until=&top=`), for the
/// dashboard's chart. Without `since` it covers the last six hours of stored traffic (not of the
/// wall clock, so a replayed log charts too), or less when less is stored. Long windows are summed into wider steps so a
/// route never has more than `maxPoints` points.
public struct SeriesQuery: Sendable, Equatable {
    public static let path = "/api/v1/series"
    public static let parameterNames = ["since", "until", "top"]
    public static let defaultTop = 5
    public static let defaultMinutes: Int64 = 360
    public static let maxPoints: Int64 = 360

    public var since: String?
    public var until: String?
    public var top: Int

    public init(since: String? = nil, until: String? = nil, top: Int = defaultTop) {
        self.since = since
        self.until = until
        self.top = top
    }

    public init(parameters pairs: [(String, String)]) throws(QueryParameterError) {
        let p = try QueryParameters(pairs, known: Self.parameterNames)
        self.init(since: try p.time("since"), until: try p.time("until"), top: try p.count("top") ?? Self.defaultTop)
    }

    public var parameters: [(String, String)] {
        var out: [(String, String)] = [("top", String(top))]
        if let since { out.append(("since", since)) }
        if let until { out.append(("until", until)) }
        return out
    }

    public func run(on store: ConflictStore, now: Int64 = QueryTime.nowMicros()) throws -> ConflictSeries {
        let window = try RouteQuery(since: since, until: until).window(now: now)
        guard let newest = try store.newestMinute() else {
            return ConflictSeries(start: nil, end: nil, stepSeconds: 60, routes: [])
        }
        let last = min(window.untilMinute ?? newest, newest)
        let first = try window.sinceMinute ?? max(last - Self.defaultMinutes + 1, store.oldestMinute() ?? last)
        guard first <= last else { return ConflictSeries(start: nil, end: nil, stepSeconds: 60, routes: []) }
        let counts = try store.minuteCounts(sinceMinute: first, untilMinute: last, top: top)
        return Self.series(counts, first: first, last: last)
    }

    /// Lays the counts on a grid of equal steps from `first` to `last` (minutes), zeros filled.
    static func series(_ counts: [ConflictStore.MinuteCounts], first: Int64, last: Int64) -> ConflictSeries {
        let span = last - first + 1
        let step = max(1, (span + maxPoints - 1) / maxPoints)
        let slots = Int((span + step - 1) / step)
        var order: [String] = []
        var grid: [String: [ConflictSeries.Point]] = [:]
        func time(_ slot: Int) -> String { CivilTime.rfc3339((first + Int64(slot) * step) * 60_000_000) }
        for c in counts {
            if grid[c.route] == nil {
                order.append(c.route)
                grid[c.route] = (0..<slots).map { ConflictSeries.Point(time: time($0), requests: 0, writes: 0, conflicts: 0) }
            }
            let slot = Int((c.minute - first) / step)
            grid[c.route]![slot].requests += c.requests
            grid[c.route]![slot].writes += c.writes
            grid[c.route]![slot].conflicts += c.conflicts
        }
        let routes = order.map { route in
            ConflictSeries.Route(route: route, conflicts: grid[route]!.reduce(0) { $0 + $1.conflicts }, points: grid[route]!)
        }
        return ConflictSeries(start: CivilTime.rfc3339(first * 60_000_000), end: CivilTime.rfc3339((last + 1) * 60_000_000),
                              stepSeconds: Int(step * 60), routes: routes)
    }
}
