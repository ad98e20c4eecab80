import ConflictWatchCore
import GRDB

extension ConflictStore {
    /// One route's counts in one traffic minute, under the route's current name.
    public struct MinuteCounts: Sendable, Equatable {
        public var minute: Int64
        public var route: String
        public var requests: Int64
        public var writes: Int64
        public var conflicts: Int64

        public init(minute: Int64, route: String, requests: Int64, writes: Int64, conflicts: Int64) {
            self.minute = minute
            self.route = route
            self.requests = requests
            self.writes = writes
            self.conflicts = conflicts
        }
    }

    /// The oldest traffic minute stored.
    public func oldestMinute() throws(StoreError) -> Int64? {
        try read { try Int64.fetchOne($0, sql: "SELECT MIN(minute) FROM route_rollup") }
    }

    /// Per-minute counts in [sinceMinute, untilMinute] for the `top` routes with the most
    /// conflicts there (then writes, then requests), renamed routes merged under their current
    /// name; ordered by route rank, then minute.
    public func minuteCounts(sinceMinute: Int64, untilMinute: Int64, top: Int) throws(StoreError) -> [MinuteCounts] {
        let (rows, aliases) = try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT minute, route, requests, writes, conflicts FROM route_rollup
                WHERE minute >= ? AND minute <= ? ORDER BY minute
                """, arguments: [sinceMinute, untilMinute])
            let aliases = try Row.fetchAll(db, sql: "SELECT route, reported_as FROM route_alias")
                .reduce(into: [String: String]()) { $0[$1["route"]] = $1["reported_as"] }
            return (rows, aliases)
        }
        var merged: [String: [Int64: MinuteCounts]] = [:]
        for row in rows {
            let route = Self.resolve(row["route"], aliases)
            let minute: Int64 = row["minute"]
            var c = merged[route]?[minute] ?? MinuteCounts(minute: minute, route: route, requests: 0, writes: 0, conflicts: 0)
            c.requests += row["requests"]
            c.writes += row["writes"]
            c.conflicts += row["conflicts"]
            merged[route, default: [:]][minute] = c
        }
        let ranked = merged.map { route, minutes -> (String, Int64, Int64, Int64) in
            minutes.values.reduce((route, 0, 0, 0)) { ($0.0, $0.1 + $1.conflicts, $0.2 + $1.writes, $0.3 + $1.requests) }
        }.sorted { ($0.1, $0.2, $0.3, $1.0) > ($1.1, $1.2, $1.3, $0.0) }
        return ranked.prefix(top).flatMap { r in merged[r.0]!.values.sorted { $0.minute < $1.minute } }
    }
}
