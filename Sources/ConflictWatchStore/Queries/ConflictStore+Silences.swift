import ConflictWatchCore
import GRDB

/// Silences (SPEC §6): what `silence add|list|expire` and `/api/v1/silences` read and write, and
/// what the daemon polls. Any process may write them (the CLI while a daemon runs: WAL and the
/// busy timeout make the short write wait, never fail); the daemon's own decisions follow within
/// a second.
extension ConflictStore {
    /// Stores `silence` and flags the open alerts it covers at once, so `alerts` shows the flag
    /// even when no daemon runs.
    public func addSilence(_ silence: Silence, now: Int64 = CivilTime.nowMicros()) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO silence (id, route, kind, client, resource, comment, author, created, starts, ends)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    silence.id, silence.matchers.route, silence.matchers.kind?.rawValue, silence.matchers.client,
                    silence.matchers.resource, silence.comment, silence.author, silence.created, silence.starts, silence.ends,
                ])
            try Self.reflagOpenAlerts(db, now: now)
        }
    }

    /// Ends the silence now (as Alertmanager does: the silence is kept, its end moves to now).
    /// Returns it as it is afterwards, nil when there is no such id; an already expired one is
    /// returned unchanged.
    public func expireSilence(id: String, now: Int64 = CivilTime.nowMicros()) throws(StoreError) -> Silence? {
        try write { db -> Silence? in
            let at = CivilTime.rfc3339(now)
            try db.execute(sql: "UPDATE silence SET ends = ? WHERE id = ? AND ends > ?", arguments: [at, id, at])
            if db.changesCount > 0 { try Self.reflagOpenAlerts(db, now: now) }
            return try Row.fetchOne(db, sql: "SELECT * FROM silence WHERE id = ?", arguments: [id]).map { Self.silence($0, now: at) }
        }
    }

    public func silence(id: String, now: Int64 = CivilTime.nowMicros()) throws(StoreError) -> Silence? {
        let at = CivilTime.rfc3339(now)
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM silence WHERE id = ?", arguments: [id]).map { Self.silence($0, now: at) }
        }
    }

    /// The silences in force at `now` (wall-clock µs), or with `includeExpired` every one kept,
    /// oldest first.
    public func silences(includeExpired: Bool = false, now: Int64 = CivilTime.nowMicros()) throws(StoreError) -> [Silence] {
        let at = CivilTime.rfc3339(now)
        return try read { db in try Self.silences(db, includeExpired: includeExpired, at: at) }
    }

    static func silences(_ db: Database, includeExpired: Bool, at: String) throws -> [Silence] {
        let sql = includeExpired
            ? "SELECT * FROM silence ORDER BY created, id"
            : "SELECT * FROM silence WHERE ends > ? AND starts <= ? ORDER BY created, id"
        let args: StatementArguments = includeExpired ? [] : [at, at]
        return try Row.fetchAll(db, sql: sql, arguments: args).map { silence($0, now: at) }
    }

    /// The open alerts' flags set from the silences active at `now`. Closed alerts keep theirs:
    /// a silence decides over an alert while it is open, history is not rewritten.
    static func reflagOpenAlerts(_ db: Database, now: Int64) throws {
        let active = try silences(db, includeExpired: false, at: CivilTime.rfc3339(now))
        for row in try AlertRow.fetchAll(db, sql: "SELECT * FROM alert WHERE \"end\" IS NULL") {
            var alert = try row.alert()
            let silenced = active.contains { $0.matches(alert) }
            guard silenced != alert.silenced else { continue }
            alert.silenced = silenced
            try AlertRow(alert).update(db)
        }
    }

    static func silence(_ row: Row, now: String) -> Silence {
        let ends: String = row["ends"]
        let kind: String? = row["kind"]
        return Silence(
            id: row["id"],
            matchers: .init(route: row["route"], kind: kind.flatMap(Alert.Kind.init(rawValue:)), client: row["client"], resource: row["resource"]),
            comment: row["comment"], author: row["author"], created: row["created"], starts: row["starts"], ends: ends,
            expired: ends <= now)
    }
}
