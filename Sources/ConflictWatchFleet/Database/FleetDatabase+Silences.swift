import ConflictWatchCore
import ConflictWatchStore
import Logging
import PostgresNIO

/// The fleet's silences (SPEC §6): what `silence add|list|expire --database-url` and a fleet
/// agent's `/api/v1/silences` read and write. A change flags the fleet's open alerts at once (so
/// `alerts` shows it with no aggregator running); the aggregator decides each alert it commits
/// against the silences active then (`FleetLeader`). Times are RFC 3339 text, as in the embedded
/// store, so the same comparisons hold.
extension FleetDatabase {
    public func addSilence(_ silence: Silence, now: Int64 = CivilTime.nowMicros()) async throws(FleetError) {
        try await run("add a silence") {
            try await self.connection.withTransaction(logger: self.logger) { c in
                let m = silence.matchers
                try await c.query("""
                    INSERT INTO fleet_silence (id, route, kind, client, resource, comment, author, created, starts, ends)
                    VALUES (\(silence.id), \(m.route), \(m.kind?.rawValue), \(m.client), \(m.resource), \(silence.comment),
                            \(silence.author), \(silence.created), \(silence.starts), \(silence.ends))
                    """, logger: self.logger)
                try await Self.reflagOpenAlerts(c, now: now, logger: self.logger)
            }
        }
    }

    /// Ends the silence now (it is kept); nil when there is no such id, an expired one unchanged.
    public func expireSilence(id: String, now: Int64 = CivilTime.nowMicros()) async throws(FleetError) -> Silence? {
        try await run("expire a silence") {
            let at = CivilTime.rfc3339(now)
            return try await self.connection.withTransaction(logger: self.logger) { c in
                var changed = 0
                for try await n in try await c.query("""
                    WITH u AS (UPDATE fleet_silence SET ends = \(at) WHERE id = \(id) AND ends > \(at) RETURNING 1) SELECT count(*)::int8 FROM u
                    """, logger: self.logger).decode(Int64.self) {
                    changed = Int(n)
                }
                if changed > 0 { try await Self.reflagOpenAlerts(c, now: now, logger: self.logger) }
                return try await Self.silences(c, where: "id = $1", [id], at: at, logger: self.logger).first
            }
        }
    }

    public func silence(id: String, now: Int64 = CivilTime.nowMicros()) async throws(FleetError) -> Silence? {
        try await run("read a silence") {
            try await Self.silences(self.connection, where: "id = $1", [id], at: CivilTime.rfc3339(now), logger: self.logger).first
        }
    }

    /// The silences in force at `now`, or with `includeExpired` every one kept, oldest first.
    public func silences(includeExpired: Bool = false, now: Int64 = CivilTime.nowMicros()) async throws(FleetError) -> [Silence] {
        try await run("read the silences") {
            try await includeExpired
                ? Self.silences(self.connection, where: "TRUE", [], at: CivilTime.rfc3339(now), logger: self.logger)
                : Self.activeSilences(self.connection, now: now, logger: self.logger)
        }
    }

    static func silences(_ c: PostgresConnection, where clause: String, _ values: [String], at: String, logger: Logger) async throws -> [Silence] {
        var binds = PostgresBindings()
        for v in values { binds.append(v) }
        let rows = try await c.query(PostgresQuery(unsafeSQL: """
            SELECT id, route, kind, client, resource, comment, author, created, starts, ends FROM fleet_silence
            WHERE \(clause) ORDER BY created, id
            """, binds: binds), logger: logger)
        var out: [Silence] = []
        for try await (id, route, kind, client, resource, comment, author, created, starts, ends)
            in rows.decode((String, String, String?, String?, String?, String, String, String, String, String).self) {
            out.append(Silence(id: id, matchers: .init(route: route, kind: kind.flatMap(Alert.Kind.init(rawValue:)), client: client, resource: resource),
                               comment: comment, author: author, created: created, starts: starts, ends: ends, expired: ends <= at))
        }
        return out
    }

    /// The open fleet alerts' flags set from the silences active at `now`; closed ones keep
    /// theirs (a silence decides over an alert while it is open, history is not rewritten).
    static func reflagOpenAlerts(_ c: PostgresConnection, now: Int64, logger: Logger) async throws {
        try await reflagOpenAlerts(c, active: activeSilences(c, now: now, logger: logger), logger: logger)
    }

    static func activeSilences(_ c: PostgresConnection, now: Int64, logger: Logger) async throws -> [Silence] {
        let at = CivilTime.rfc3339(now)
        return try await silences(c, where: "ends > $1 AND starts <= $1", [at], at: at, logger: logger)
    }

    static func reflagOpenAlerts(_ c: PostgresConnection, active: [Silence], logger: Logger) async throws {
        var changed: [Alert] = []
        // With no silence in force only the alerts still flagged can change.
        let sql = "SELECT json FROM fleet_alert WHERE \"end\" IS NULL" + (active.isEmpty ? " AND silenced" : "")
        for try await json in try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(String.self) {
            var alert = try RecordJSON.decode(Alert.self, from: json)
            let silenced = active.contains { $0.matches(alert) }
            guard silenced != alert.silenced else { continue }
            alert.silenced = silenced
            changed.append(alert)
        }
        for alert in changed {
            try await c.query("""
                UPDATE fleet_alert SET silenced = \(alert.silenced), json = \(try RecordJSON.encode(alert)) WHERE id = \(alert.id)
                """, logger: logger)
        }
    }
}
