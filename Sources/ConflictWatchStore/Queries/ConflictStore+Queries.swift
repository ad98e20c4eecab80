import ConflictWatchCore
import GRDB

/// The query commands' reads. Every value goes in as an SQL argument, never into the text.
extension ConflictStore {
    /// Alerts overlapping [since, until], ordered by start (SPEC §6). With a limit, the newest
    /// that many (an operator asking for 20 alerts wants the latest 20), still oldest first.
    public func alerts(_ f: AlertFilter) throws(StoreError) -> [Alert] {
        var clauses: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        if let since = f.since { clauses.append("(\"end\" IS NULL OR \"end\" >= ?)"); args.append(since) }
        if let until = f.until { clauses.append("start <= ?"); args.append(until) }
        if let kind = f.kind { clauses.append("kind = ?"); args.append(kind.rawValue) }
        if let glob = f.routeGlob { clauses.append("route GLOB ?"); args.append(glob) }
        if let client = f.client { clauses.append("client = ?"); args.append(client) }
        if let s = f.minSeverity {
            clauses.append("severity_rank >= ?")
            args.append(Alert.Severity.allCases.firstIndex(of: s) ?? 0)
        }
        if f.openOnly { clauses.append("\"end\" IS NULL") }
        if f.hideSilenced { clauses.append("silenced = 0") }
        var sql = "SELECT * FROM alert"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        if let limit = f.limit {
            sql = "SELECT * FROM (" + sql + " ORDER BY start DESC, id DESC LIMIT ?) ORDER BY start, id"
            args.append(limit)
        } else {
            sql += " ORDER BY start, id"
        }
        let arguments = StatementArguments(args)
        return try read { db in
            try AlertRow.fetchAll(db, sql: sql, arguments: arguments).map { try $0.alert() }
        }
    }

    public func alert(id: String) throws(StoreError) -> Alert? {
        try read { try AlertRow.fetchOne($0, key: id)?.alert() }
    }

    /// The latest hot-spot snapshot, best first.
    public func hotspots(top: Int) throws(StoreError) -> [HotspotRow] {
        try read { db in
            guard let minute = try Int64.fetchOne(db, sql: "SELECT MAX(minute) FROM hotspot_snapshot") else { return [] }
            return try HotspotSnapshotRow
                .fetchAll(db, sql: "SELECT * FROM hotspot_snapshot WHERE minute = ? ORDER BY rank LIMIT ?", arguments: [minute, top])
                .map { try RecordJSON.decode(HotspotRow.self, from: $0.json) }
        }
    }

    /// Per-route totals over the traffic minutes in [sinceMinute, untilMinute], in the order of
    /// the routes table (conflicts, then writes, then requests). SQLite adds the minutes up
    /// (statuses through json_each), so a month of rollups is one pass over an index range.
    public func routes(sinceMinute: Int64? = nil, untilMinute: Int64? = nil) throws(StoreError) -> [RouteRow] {
        let window: StatementArguments = [sinceMinute ?? Int64.min, untilMinute ?? Int64.max]
        let (totals, statuses, aliases) = try read { db in
            // Counts summed. Writers and resources are running counts of one daemon's life (they
            // start again after a restart), so the window's largest is the best lower bound;
            // each latency quantile comes from the route's latest minute that has one (a minute
            // without latencies does not blank the route's), as adding minutes up does.
            let totals = try Row.fetchAll(db, sql: """
                SELECT r.route, t.requests, t.writes, t.conflicts, t.writers, t.resources, t.last,
                       COALESCE(r.p50_ms, (SELECT p50_ms FROM route_rollup AS e WHERE e.route = t.route AND e.minute >= ?1
                                           AND e.minute < t.last AND e.p50_ms IS NOT NULL ORDER BY e.minute DESC LIMIT 1)) AS p50_ms,
                       COALESCE(r.p99_ms, (SELECT p99_ms FROM route_rollup AS e WHERE e.route = t.route AND e.minute >= ?1
                                           AND e.minute < t.last AND e.p99_ms IS NOT NULL ORDER BY e.minute DESC LIMIT 1)) AS p99_ms
                FROM (SELECT route, SUM(requests) AS requests, SUM(writes) AS writes, SUM(conflicts) AS conflicts,
                             MAX(writers) AS writers, MAX(resources) AS resources, MAX(minute) AS last
                      FROM route_rollup WHERE minute >= ?1 AND minute <= ?2 GROUP BY route) AS t
                JOIN route_rollup AS r ON r.route = t.route AND r.minute = t.last
                """, arguments: window)
            let statuses = try Row.fetchAll(db, sql: """
                SELECT r.route, j.key AS status, SUM(j.value) AS count
                FROM route_rollup AS r, json_each(r.statuses) AS j
                WHERE r.minute >= ? AND r.minute <= ? GROUP BY r.route, j.key
                """, arguments: window)
            let aliases = try Row.fetchAll(db, sql: "SELECT route, reported_as FROM route_alias")
                .reduce(into: [String: String]()) { $0[$1["route"]] = $1["reported_as"] }
            return (totals, statuses, aliases)
        }
        var byRoute: [String: [String: Int64]] = [:]
        for row in statuses {
            let route: String = row["route"]
            byRoute[route, default: [:]][row["status"]] = row["count"]
        }
        return RouteRollup.rows(joining: totals.map { row in
            let raw: String = row["route"]
            return RouteRollup(
                minute: row["last"], route: raw, requests: row["requests"], writes: row["writes"],
                conflicts: row["conflicts"], statuses: byRoute[raw] ?? [:], writers: row["writers"],
                resources: row["resources"], p50Ms: row["p50_ms"], p99Ms: row["p99_ms"])
        }, aliases: aliases)
    }

    /// Follows renames to the current name (bounded, in case of a cycle).
    public static func resolve(_ route: String, _ aliases: [String: String]) -> String {
        var name = route
        for _ in 0..<16 {
            guard let next = aliases[name], next != name else { break }
            name = next
        }
        return name
    }

    /// The newest traffic minute stored (for "since 1h" relative to the traffic).
    public func newestMinute() throws(StoreError) -> Int64? {
        try read { try Int64.fetchOne($0, sql: "SELECT MAX(minute) FROM route_rollup") }
    }
}
