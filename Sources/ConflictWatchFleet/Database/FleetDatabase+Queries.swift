import ConflictWatchCore
import ConflictWatchStore
import Foundation
import PostgresNIO

/// The fleet's results for `alerts`, `hotspots`, `routes`, `report` and the API (SPEC §7), in
/// the embedded store's shapes and orders (`FleetResults` serves them as a `ResultStore`).
extension FleetDatabase {
    /// Alerts overlapping [since, until], oldest first; with a limit, the newest that many.
    /// `agent` keeps those whose traffic came (in part) through that agent.
    public func alerts(_ f: AlertFilter, agent: String? = nil) async throws(FleetError) -> [Alert] {
        try await run("read the fleet's alerts") {
            var sql = "SELECT json, agents FROM fleet_alert WHERE TRUE"
            var binds = PostgresBindings()
            func param(_ v: some PostgresDynamicTypeEncodable) -> String {
                binds.append(v)
                return "$\(binds.count)"
            }
            if let since = f.since { sql += " AND (\"end\" IS NULL OR \"end\" >= \(param(since)))" }
            if let until = f.until { sql += " AND start <= \(param(until))" }
            if let kind = f.kind { sql += " AND kind = \(param(kind.rawValue))" }
            if let client = f.client { sql += " AND client = \(param(client))" }
            if let s = f.minSeverity { sql += " AND severity_rank >= \(param(Alert.Severity.allCases.firstIndex(of: s) ?? 0))" }
            if f.openOnly { sql += " AND \"end\" IS NULL" }
            if f.hideSilenced { sql += " AND NOT silenced" }
            sql += " ORDER BY start DESC, id DESC"
            var out: [Alert] = []
            let rows = try await self.connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger)
            for try await (json, agentsJSON) in rows.decode((String, String).self) {
                let alert = try RecordJSON.decode(Alert.self, from: json)
                if let glob = f.routeGlob, !Silence.glob(glob, alert.route) { continue }
                if let agent {
                    let agents = try alert.agents ?? RecordJSON.decode([String].self, from: agentsJSON)
                    if !agents.contains(agent) { continue }
                }
                out.append(alert)
                if let limit = f.limit, out.count >= limit { break }
            }
            return out.reversed()
        }
    }

    /// One alert of the fleet, nil when there is none with that id.
    public func alert(id: String) async throws(FleetError) -> Alert? {
        try await run("read an alert") {
            for try await json in try await self.connection.query("SELECT json FROM fleet_alert WHERE id = \(id)", logger: self.logger).decode(String.self) {
                return try RecordJSON.decode(Alert.self, from: json)
            }
            return nil
        }
    }

    /// The latest hot-spot snapshot of the fleet, best first.
    public func hotspots(top: Int) async throws(FleetError) -> [HotspotRow] {
        try await run("read the fleet's hot spots") {
            var out: [HotspotRow] = []
            let rows = try await self.connection.query("""
                SELECT json FROM fleet_hotspot WHERE minute = (SELECT MAX(minute) FROM fleet_hotspot) ORDER BY rank LIMIT \(top)
                """, logger: self.logger)
            for try await json in rows.decode(String.self) { out.append(try RecordJSON.decode(HotspotRow.self, from: json)) }
            return out
        }
    }

    /// Per-route totals over the traffic minutes in [sinceMinute, untilMinute], ordered as the
    /// embedded store orders them (conflicts, writes, requests).
    public func routes(sinceMinute: Int64? = nil, untilMinute: Int64? = nil) async throws(FleetError) -> [RouteRow] {
        try await run("read the fleet's routes") {
            let lo = sinceMinute ?? Int64.min, hi = untilMinute ?? Int64.max
            let aliases = try await self.aliases()
            // Summed in PostgreSQL, as the embedded store sums in SQLite (the same rules, there):
            // decoding every minute's status counts here took seconds over a month of minutes.
            var statuses: [String: [String: Int64]] = [:]
            let counts = try await self.connection.query("""
                SELECT r.route, j.key, SUM(j.value::bigint)::bigint
                FROM fleet_route_rollup AS r, jsonb_each_text(r.statuses) AS j
                WHERE r.minute >= \(lo) AND r.minute <= \(hi) GROUP BY r.route, j.key
                """, logger: self.logger)
            for try await (route, status, count) in counts.decode((String, String, Int64).self) {
                statuses[route, default: [:]][status] = count
            }
            var totals: [RouteRollup] = []
            let rows = try await self.connection.query("""
                SELECT r.route, t.requests, t.writes, t.conflicts, t.writers, t.resources, t.last,
                       COALESCE(r.p50_ms, (SELECT e.p50_ms FROM fleet_route_rollup AS e WHERE e.route = t.route AND e.minute >= \(lo)
                                           AND e.minute < t.last AND e.p50_ms IS NOT NULL ORDER BY e.minute DESC LIMIT 1)),
                       COALESCE(r.p99_ms, (SELECT e.p99_ms FROM fleet_route_rollup AS e WHERE e.route = t.route AND e.minute >= \(lo)
                                           AND e.minute < t.last AND e.p99_ms IS NOT NULL ORDER BY e.minute DESC LIMIT 1))
                FROM (SELECT route, SUM(requests)::bigint AS requests, SUM(writes)::bigint AS writes, SUM(conflicts)::bigint AS conflicts,
                             MAX(writers) AS writers, MAX(resources) AS resources, MAX(minute) AS last
                      FROM fleet_route_rollup WHERE minute >= \(lo) AND minute <= \(hi) GROUP BY route) AS t
                JOIN fleet_route_rollup AS r ON r.route = t.route AND r.minute = t.last
                """, logger: self.logger)
            for try await (route, requests, writes, conflicts, writers, resources, last, p50, p99)
                in rows.decode((String, Int64, Int64, Int64, Int32, Int32, Int64, Double?, Double?).self) {
                totals.append(RouteRollup(minute: last, route: route, requests: requests, writes: writes, conflicts: conflicts,
                                          statuses: statuses[route] ?? [:], writers: Int(writers), resources: Int(resources),
                                          p50Ms: p50, p99Ms: p99))
            }
            return RouteRollup.rows(joining: totals, aliases: aliases)
        }
    }

    /// Renamed routes and their current names.
    func aliases() async throws -> [String: String] {
        var aliases: [String: String] = [:]
        for try await (route, to) in try await connection.query("SELECT route, reported_as FROM fleet_route_alias", logger: logger)
            .decode((String, String).self) {
            aliases[route] = to
        }
        return aliases
    }

    /// The oldest and newest traffic minutes of the fleet's rollups.
    public func minuteExtent() async throws(FleetError) -> (oldest: Int64, newest: Int64)? {
        try await run("read the fleet's rollups") {
            for try await (lo, hi) in try await self.connection.query("SELECT MIN(minute), MAX(minute) FROM fleet_route_rollup", logger: self.logger)
                .decode((Int64?, Int64?).self) {
                guard let lo, let hi else { return nil }
                return (oldest: lo, newest: hi)
            }
            return nil
        }
    }

    /// Per-minute counts of the `top` routes, ranked as the embedded store ranks them.
    public func minuteCounts(sinceMinute: Int64, untilMinute: Int64, top: Int) async throws(FleetError) -> [ConflictStore.MinuteCounts] {
        try await slotCounts("""
            SELECT minute, route, requests, writes, conflicts FROM fleet_route_rollup
            WHERE minute >= \(sinceMinute) AND minute <= \(untilMinute) ORDER BY minute
            """, top: top)
            .map { .init(minute: $0.slot, route: $0.route, requests: $0.requests, writes: $0.writes, conflicts: $0.conflicts) }
    }

    /// The stored buckets' reach (microseconds), nil when the aggregator has written none.
    public func bucketExtent() async throws(FleetError) -> (oldest: Int64, newest: Int64, width: Int64)? {
        try await run("read the fleet's buckets") {
            let rows = try await self.connection.query("""
                SELECT MIN(start), MAX(start), (SELECT width FROM fleet_route_bucket ORDER BY start DESC LIMIT 1) FROM fleet_route_bucket
                """, logger: self.logger)
            for try await (lo, hi, width) in rows.decode((Int64?, Int64?, Int64?).self) {
                guard let lo, let hi, let width else { return nil }
                return (oldest: lo, newest: hi, width: width)
            }
            return nil
        }
    }

    /// Per-bucket counts with a start in [since, until], ranked as `minuteCounts`.
    public func bucketCounts(since: Int64, until: Int64, top: Int) async throws(FleetError) -> [ConflictStore.BucketCounts] {
        try await slotCounts("""
            SELECT start, route, requests, writes, conflicts FROM fleet_route_bucket
            WHERE start >= \(since) AND start <= \(until) ORDER BY start
            """, top: top)
            .map { .init(start: $0.slot, route: $0.route, requests: $0.requests, writes: $0.writes, conflicts: $0.conflicts) }
    }

    private func slotCounts(_ query: PostgresQuery, top: Int) async throws(FleetError) -> [ConflictStore.SlotCounts] {
        try await run("read the fleet's series") {
            let aliases = try await self.aliases()
            var rows: [ConflictStore.SlotCounts] = []
            for try await (slot, route, requests, writes, conflicts) in try await self.connection.query(query, logger: self.logger)
                .decode((Int64, String, Int64, Int64, Int64).self) {
                rows.append(.init(slot: slot, route: route, requests: requests, writes: writes, conflicts: conflicts))
            }
            return ConflictStore.rank(rows, aliases, top: top)
        }
    }
}
