import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The aggregator's side: the role's lock, its state, its results.
extension FleetDatabase {
    /// Takes the aggregator role if nobody holds it (a session lock: it ends with this
    /// connection, however the holder dies).
    public func tryTakeAggregatorRole() async throws(FleetError) -> Bool {
        try await run("take the aggregator role") {
            for try await held in try await self.connection.query("SELECT pg_try_advisory_lock(\(Self.aggregatorLock))", logger: self.logger).decode(Bool.self) {
                return held
            }
            return false
        }
    }

    /// What an aggregator resumes from.
    public struct AggregatorState: Sendable {
        public var model: [UInt8]?
        public var positions: [String: FleetMerge.Position]
        public var watermark: Int64
        public var holder: String
    }

    public func aggregatorState() async throws(FleetError) -> AggregatorState? {
        try await run("read the aggregator's state") {
            let rows = try await self.connection.query("SELECT model, positions, watermark, holder FROM fleet_state WHERE id = 1", logger: self.logger)
            for try await (model, positions, watermark, holder) in rows.decode((ByteBuffer?, String, Int64, String).self) {
                let p = try JSONDecoder().decode([String: FleetMerge.Position].self, from: Data(positions.utf8))
                return AggregatorState(model: model.map { Array($0.readableBytesView) }, positions: p, watermark: watermark, holder: holder)
            }
            return nil
        }
    }

    /// One commit of the aggregator: its results and its state as of them, in one transaction,
    /// so a successor resumes exactly where this one's results end.
    public struct AggregatorCommit: Sendable {
        public var alerts: [(alert: Alert, agents: [String])] = []
        public var events: [AlertTransition] = []
        public var rollups: [RouteRollup] = []
        public var buckets: [RouteBucket] = []
        public var routeAliases: [String: String] = [:]
        public var hotspots: [HotspotRow]? = nil
        public var hotspotMinute: Int64 = 0
        public var state: AggregatorState
        /// The wall clock silences are decided at (µs).
        public var now: Int64 = CivilTime.nowMicros()
        /// The receivers the fleet's alert events are owed to (the leader's configured
        /// webhooks), and how many pending rows each keeps.
        public var webhooks: [WebhookTarget] = []
        public var webhookCapacity = WebhookDelivery.defaultCapacity
        public init(state: AggregatorState) { self.state = state }
    }

    /// Returns the webhook rows owed by it and the pending ones dropped beyond the capacity.
    @discardableResult
    public func commit(_ batch: AggregatorCommit) async throws(FleetError) -> (owed: Int, dropped: Int) {
        try await run("commit the fleet's results") {
            let positions = String(decoding: try JSONEncoder().encode(batch.state.positions), as: UTF8.self)
            return try await self.connection.withTransaction(logger: self.logger) { c in
                // Each alert decided against the silences in force now, as one daemon does; the
                // open ones not in this commit too (a silence ran out, or was added meanwhile).
                let silences = try await Self.activeSilences(c, now: batch.now, logger: self.logger)
                var stored: [String: Alert] = [:]
                for (unnamed, agents) in batch.alerts {
                    var alert = unnamed
                    alert.agents = agents
                    alert.silenced = silences.contains { $0.matches(alert) }
                    let json = try RecordJSON.encode(alert)
                    let agentsJSON = try RecordJSON.encode(agents)
                    let rank = Alert.Severity.allCases.firstIndex(of: alert.severity) ?? 0
                    stored[alert.id] = alert
                    // New: not announced yet (`owe` announces it once nothing silences it).
                    try await c.query("""
                        INSERT INTO fleet_alert (id, kind, severity_rank, route, client, resource, start, "end", silenced, agents, json, announced)
                        VALUES (\(alert.id), \(alert.kind.rawValue), \(rank), \(alert.route), \(alert.client), \(alert.resource),
                                \(alert.start), \(alert.end), \(alert.silenced), \(agentsJSON), \(json), false)
                        ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, severity_rank = EXCLUDED.severity_rank,
                            route = EXCLUDED.route, client = EXCLUDED.client, resource = EXCLUDED.resource, start = EXCLUDED.start,
                            "end" = EXCLUDED."end", silenced = EXCLUDED.silenced, agents = EXCLUDED.agents, json = EXCLUDED.json
                        """, logger: self.logger)
                }
                for e in batch.events {
                    try await c.query("""
                        INSERT INTO fleet_alert_event (event_id, alert_id, kind, time, sequence)
                        VALUES (\(e.eventID), \(e.alertID), \(e.kind.rawValue), \(CivilTime.rfc3339(e.time)), \(e.sequence))
                        ON CONFLICT (event_id) DO NOTHING
                        """, logger: self.logger)
                }
                try await Self.addRollups(batch.rollups, c, logger: self.logger)
                try await Self.reflagOpenAlerts(c, active: silences, logger: self.logger)
                let owed = try await Self.owe(batch.events, alerts: stored, targets: batch.webhooks, capacity: batch.webhookCapacity,
                                              now: batch.now, c, logger: self.logger)
                try await Self.addBuckets(batch.buckets, c, logger: self.logger)
                for (old, new) in batch.routeAliases where old != new {
                    try await c.query("""
                        INSERT INTO fleet_route_alias (route, reported_as) VALUES (\(old), \(new))
                        ON CONFLICT (route) DO UPDATE SET reported_as = EXCLUDED.reported_as
                        """, logger: self.logger)
                }
                if let hotspots = batch.hotspots {
                    try await c.query("DELETE FROM fleet_hotspot WHERE minute = \(batch.hotspotMinute)", logger: self.logger)
                    for (rank, h) in hotspots.enumerated() {
                        let json = try RecordJSON.encode(h)
                        try await c.query("""
                            INSERT INTO fleet_hotspot (minute, rank, json) VALUES (\(batch.hotspotMinute), \(rank + 1), \(json))
                            """, logger: self.logger)
                    }
                }
                let model = batch.state.model.map { ByteBuffer(bytes: $0) }
                try await c.query("""
                    INSERT INTO fleet_state (id, model, positions, watermark, holder, updated)
                    VALUES (1, \(model), \(positions), \(batch.state.watermark), \(batch.state.holder), now())
                    ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, positions = EXCLUDED.positions,
                        watermark = EXCLUDED.watermark, holder = EXCLUDED.holder, updated = now()
                    """, logger: self.logger)
                return owed
            }
        }
    }

    /// Adds rollup deltas in one statement, arrays unnested. One statement per row cost a
    /// round trip each: a fleet catching up cuts a thousand rows a second, and an aggregator
    /// resuming on 2 M lines spent half its 9 s waiting on 13 k of them.
    static func addRollups(_ rollups: [RouteRollup], _ c: PostgresConnection, logger: Logger) async throws {
        guard !rollups.isEmpty else { return }
        // One row per (minute, route): ON CONFLICT may not touch a row twice in a statement.
        // A later delta of the same minute adds to the earlier as the upsert would.
        var merged: [RouteRollupKey: Int] = [:]
        var rows: [RouteRollup] = []
        rows.reserveCapacity(rollups.count)
        for r in rollups {
            let key = RouteRollupKey(minute: r.minute, route: r.route)
            if let i = merged[key] {
                rows[i].add(r)
            } else {
                merged[key] = rows.count
                rows.append(r)
            }
        }
        // Arrays of optionals do not encode: NaN stands for "no quantile" and NULLIF turns it
        // back (PostgreSQL's NaN equals NaN).
        try await c.query("""
            INSERT INTO fleet_route_rollup AS r (minute, route, requests, writes, conflicts, statuses, writers, resources, p50_ms, p99_ms)
            SELECT m, rt, q, w, x, s::jsonb, wr, rs, NULLIF(p50, 'NaN'::float8), NULLIF(p99, 'NaN'::float8)
            FROM unnest(\(rows.map(\.minute))::int8[], \(rows.map(\.route))::text[], \(rows.map(\.requests))::int8[],
                        \(rows.map(\.writes))::int8[], \(rows.map(\.conflicts))::int8[], \(rows.map(\.statuses))::text[],
                        \(rows.map { Int64($0.writers) })::int8[], \(rows.map { Int64($0.resources) })::int8[],
                        \(rows.map { $0.p50Ms ?? .nan })::float8[], \(rows.map { $0.p99Ms ?? .nan })::float8[])
                 AS u(m, rt, q, w, x, s, wr, rs, p50, p99)
            ON CONFLICT (minute, route) DO UPDATE SET
                requests = r.requests + EXCLUDED.requests, writes = r.writes + EXCLUDED.writes,
                conflicts = r.conflicts + EXCLUDED.conflicts,
                statuses = (SELECT COALESCE(jsonb_object_agg(k, COALESCE((r.statuses->>k)::bigint, 0) + COALESCE((EXCLUDED.statuses->>k)::bigint, 0)), '{}'::jsonb)
                            FROM jsonb_object_keys(r.statuses || EXCLUDED.statuses) AS k),
                writers = EXCLUDED.writers, resources = EXCLUDED.resources,
                p50_ms = COALESCE(EXCLUDED.p50_ms, r.p50_ms), p99_ms = COALESCE(EXCLUDED.p99_ms, r.p99_ms)
            """, logger: logger)
    }

    private struct RouteRollupKey: Hashable {
        var minute: Int64
        var route: String
    }

    /// Adds bucket deltas in one statement (arrays unnested: a fast fleet cuts hundreds of rows a
    /// second) and drops the rows that fell out of the window behind the newest bucket.
    static func addBuckets(_ buckets: [RouteBucket], _ c: PostgresConnection, logger: Logger) async throws {
        guard !buckets.isEmpty else { return }
        // One row per (start, route): ON CONFLICT may not touch a row twice in a statement.
        var merged: [String: Int] = [:]
        var rows: [RouteBucket] = []
        for b in buckets {
            let key = "\(b.start) \(b.route)"
            if let i = merged[key] {
                rows[i].requests += b.requests
                rows[i].writes += b.writes
                rows[i].conflicts += b.conflicts
            } else {
                merged[key] = rows.count
                rows.append(b)
            }
        }
        try await c.query("""
            INSERT INTO fleet_route_bucket AS b (start, width, route, requests, writes, conflicts)
            SELECT * FROM unnest(\(rows.map(\.start))::int8[], \(rows.map(\.width))::int8[], \(rows.map(\.route))::text[],
                                 \(rows.map(\.requests))::int8[], \(rows.map(\.writes))::int8[], \(rows.map(\.conflicts))::int8[])
            ON CONFLICT (start, route) DO UPDATE SET requests = b.requests + EXCLUDED.requests,
                writes = b.writes + EXCLUDED.writes, conflicts = b.conflicts + EXCLUDED.conflicts, width = EXCLUDED.width
            """, logger: logger)
        let newest = rows.map(\.start).max()!
        try await c.query("""
            DELETE FROM fleet_route_bucket WHERE start < GREATEST((SELECT MAX(start) FROM fleet_route_bucket), \(newest)) - \(ConflictStore.bucketWindowMicros)
            """, logger: logger)
    }

    /// Deletes summaries every stream's position has passed and that are older than `days`
    /// by the time they were shipped (the raw material of a restart from scratch, kept a while),
    /// silences that ended longer ago, and webhook deliveries given up longer ago (`webhooks
    /// failed` lists them until then).
    public func pruneSummaries(positions: [String: FleetMerge.Position], keepDays: Int) async throws(FleetError) -> Int {
        try await run("prune summaries") {
            var removed = 0
            for (name, p) in positions {
                let agent = String(FleetStreamName.agent(of: name))
                let incarnation = String(name.dropFirst(agent.count + 1))
                for try await n in try await self.connection.query("""
                    WITH d AS (DELETE FROM fleet_summary WHERE agent = \(agent) AND incarnation = \(incarnation) AND seq < \(p.seq)
                               AND shipped_at < now() - make_interval(days => \(keepDays)) RETURNING 1)
                    SELECT count(*)::int8 FROM d
                    """, logger: self.logger).decode(Int64.self) {
                    removed += Int(n)
                }
            }
            // Silences ended longer ago than the retention, as the embedded store drops them.
            let cutoff = CivilTime.rfc3339(CivilTime.nowMicros() - Int64(keepDays) * 86_400 * CivilTime.microsPerSecond)
            for try await n in try await self.connection.query("""
                WITH d AS (DELETE FROM fleet_silence WHERE ends < \(cutoff) RETURNING 1) SELECT count(*)::int8 FROM d
                """, logger: self.logger).decode(Int64.self) {
                removed += Int(n)
            }
            removed += try await Self.pruneGivenUpWebhooks(olderThanDays: keepDays, self.connection, logger: self.logger)
            return removed
        }
    }
}
