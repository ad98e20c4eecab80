import ConflictWatchCore
import GRDB

/// Traffic of one route in one traffic minute (SPEC §7 per-minute rollups). Counts add up;
/// `writers`, `resources` and the latency quantiles are the route's running values in the
/// writing daemon's life when the minute was last written.
public struct RouteRollup: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "route_rollup"

    /// Minutes since the Unix epoch, in traffic time.
    public var minute: Int64
    public var route: String
    public var requests: Int64
    public var writes: Int64
    public var conflicts: Int64
    /// Status (as text) → count, as JSON.
    public var statuses: String
    public var writers: Int
    public var resources: Int
    public var p50Ms: Double?
    public var p99Ms: Double?

    enum CodingKeys: String, CodingKey {
        case minute, route, requests, writes, conflicts, statuses, writers, resources
        case p50Ms = "p50_ms"
        case p99Ms = "p99_ms"
    }

    public init(minute: Int64, route: String, requests: Int64, writes: Int64, conflicts: Int64,
                statuses: [String: Int64], writers: Int, resources: Int, p50Ms: Double?, p99Ms: Double?) {
        self.minute = minute
        self.route = route
        self.requests = requests
        self.writes = writes
        self.conflicts = conflicts
        self.statuses = RecordJSON.encodeCounts(statuses)
        self.writers = writers
        self.resources = resources
        self.p50Ms = p50Ms
        self.p99Ms = p99Ms
    }

    public var statusCounts: [String: Int64] {
        (try? RecordJSON.decode([String: Int64].self, from: statuses)) ?? [:]
    }

    /// Adds a later delta of the same minute and route: counts add, running values are replaced.
    public mutating func add(_ later: RouteRollup) {
        requests += later.requests
        writes += later.writes
        conflicts += later.conflicts
        var s = statusCounts
        for (k, v) in later.statusCounts { s[k, default: 0] += v }
        statuses = RecordJSON.encodeCounts(s)
        writers = later.writers
        resources = later.resources
        p50Ms = later.p50Ms ?? p50Ms
        p99Ms = later.p99Ms ?? p99Ms
    }
}

extension RouteRollup {
    /// The `routes` rows of a window's totals per stored route name (`minute`: the route's last
    /// minute in the window; the embedded store's and the fleet's queries sum them in SQL):
    /// rows of renamed routes join the row of their current name, the running values coming
    /// from whichever was written last.
    package static func rows(joining totals: some Sequence<RouteRollup>, aliases: [String: String]) -> [RouteRow] {
        var merged: [String: (rollup: RouteRollup, last: Int64)] = [:]
        for var r in totals {
            r.route = ConflictStore.resolve(r.route, aliases)
            if let m = merged[r.route] {
                var (earlier, later) = m.last <= r.minute ? (m.rollup, r) : (r, m.rollup)
                later.writers = max(earlier.writers, later.writers)
                later.resources = max(earlier.resources, later.resources)
                earlier.add(later)
                merged[r.route] = (earlier, max(m.last, r.minute))
            } else {
                merged[r.route] = (r, r.minute)
            }
        }
        return rows(merged.values.map(\.rollup))
    }

    /// The `routes` rows of per-route rollups already summed over a window (the embedded store's
    /// and the fleet's queries): routes with requests, most conflicts first.
    package static func rows(_ merged: some Sequence<RouteRollup>) -> [RouteRow] {
        var out = merged.compactMap { r -> RouteRow? in
            guard r.requests > 0 else { return nil }
            return RouteRow(
                storedRoute: r.route, requests: UInt64(r.requests), writes: UInt64(max(r.writes, 0)),
                conflicts: UInt64(max(r.conflicts, 0)), statuses: r.statusCounts.filter { $0.value > 0 }.mapValues { UInt64($0) },
                conflictRatio: r.writes > 0 ? Double(r.conflicts) / Double(r.writes) : 0,
                writers: r.writers, resources: r.resources, p50Ms: r.p50Ms, p99Ms: r.p99Ms)
        }
        out.sort { ($0.conflicts, $0.writes, $0.requests, $1.route) > ($1.conflicts, $1.writes, $1.requests, $0.route) }
        return out
    }
}
