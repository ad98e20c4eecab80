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
            (try Row.fetchAll(db, sql: """
                SELECT minute AS slot, route, requests, writes, conflicts FROM route_rollup
                WHERE minute >= ? AND minute <= ? ORDER BY minute
                """, arguments: [sinceMinute, untilMinute]), try Self.aliases(db))
        }
        return Self.ranked(rows, aliases, top: top).map { MinuteCounts(minute: $0.slot, route: $0.route, requests: $0.requests, writes: $0.writes, conflicts: $0.conflicts) }
    }

    /// One route's counts in one model bucket, under the route's current name.
    public struct BucketCounts: Sendable, Equatable {
        /// Start of the bucket, microseconds since the epoch (traffic time).
        public var start: Int64
        public var route: String
        public var requests: Int64
        public var writes: Int64
        public var conflicts: Int64

        public init(start: Int64, route: String, requests: Int64, writes: Int64, conflicts: Int64) {
            self.start = start
            self.route = route
            self.requests = requests
            self.writes = writes
            self.conflicts = conflicts
        }
    }

    /// The stored buckets' reach: oldest and newest start and the newest rows' width (all
    /// microseconds); nil when none are stored (a store written before `v6-route-buckets`).
    public func bucketExtent() throws(StoreError) -> (oldest: Int64, newest: Int64, width: Int64)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT MIN(start) AS oldest, MAX(start) AS newest FROM route_bucket"),
                  let oldest: Int64 = row["oldest"], let newest: Int64 = row["newest"],
                  let width = try Int64.fetchOne(db, sql: "SELECT width FROM route_bucket WHERE start = ? LIMIT 1", arguments: [newest])
            else { return nil }
            return (oldest, newest, width)
        }
    }

    /// Per-bucket counts with a start in [since, until] (microseconds), for the `top` routes
    /// ranked as in `minuteCounts`; ordered by route rank, then start.
    public func bucketCounts(since: Int64, until: Int64, top: Int) throws(StoreError) -> [BucketCounts] {
        let (rows, aliases) = try read { db in
            (try Row.fetchAll(db, sql: """
                SELECT start AS slot, route, requests, writes, conflicts FROM route_bucket
                WHERE start >= ? AND start <= ? ORDER BY start
                """, arguments: [since, until]), try Self.aliases(db))
        }
        return Self.ranked(rows, aliases, top: top).map { BucketCounts(start: $0.slot, route: $0.route, requests: $0.requests, writes: $0.writes, conflicts: $0.conflicts) }
    }

    private static func aliases(_ db: Database) throws -> [String: String] {
        try Row.fetchAll(db, sql: "SELECT route, reported_as FROM route_alias").reduce(into: [String: String]()) { $0[$1["route"]] = $1["reported_as"] }
    }

    private static func ranked(_ rows: [Row], _ aliases: [String: String], top: Int) -> [SlotCounts] {
        rank(rows.map { SlotCounts(slot: $0["slot"], route: $0["route"], requests: $0["requests"], writes: $0["writes"], conflicts: $0["conflicts"]) },
             aliases, top: top)
    }

    /// One route's counts in one slot (a minute or a bucket start).
    public struct SlotCounts: Sendable {
        public var slot: Int64
        public var route: String
        public var requests: Int64 = 0
        public var writes: Int64 = 0
        public var conflicts: Int64 = 0

        public init(slot: Int64, route: String, requests: Int64 = 0, writes: Int64 = 0, conflicts: Int64 = 0) {
            self.slot = slot
            self.route = route
            self.requests = requests
            self.writes = writes
            self.conflicts = conflicts
        }
    }

    /// Rows merged under the routes' current names, the `top` routes by conflicts, then
    /// writes, then requests (then name), each route's slots in order. The fleet's series rank
    /// through this too, so both stores chart the same routes.
    public static func rank(_ rows: [SlotCounts], _ aliases: [String: String], top: Int) -> [SlotCounts] {
        var merged: [String: [Int64: SlotCounts]] = [:]
        for row in rows {
            let route = resolve(row.route, aliases)
            var c = merged[route]?[row.slot] ?? SlotCounts(slot: row.slot, route: route)
            c.requests += row.requests
            c.writes += row.writes
            c.conflicts += row.conflicts
            merged[route, default: [:]][row.slot] = c
        }
        let ranked = merged.map { route, slots -> (String, Int64, Int64, Int64) in
            slots.values.reduce((route, 0, 0, 0)) { ($0.0, $0.1 + $1.conflicts, $0.2 + $1.writes, $0.3 + $1.requests) }
        }.sorted { ($0.1, $0.2, $0.3, $1.0) > ($1.1, $1.2, $1.3, $0.0) }
        return ranked.prefix(top).flatMap { r in merged[r.0]!.values.sorted { $0.slot < $1.slot } }
    }
}
