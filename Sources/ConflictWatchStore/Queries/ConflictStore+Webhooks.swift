import ConflictWatchCore
import GRDB

/// The webhook outbox (SPEC §8): what the sender reads and marks, and what
/// `conflictwatch webhooks` lists. Rows are written by `commit` with the alert change.
extension ConflictStore {
    /// Inserts a flush's deliveries, then trims each receiver's pending rows to `capacity`,
    /// oldest first (a receiver back after a long outage hears about what is going on now).
    /// Returns how many pending rows were dropped.
    static func insertDeliveries(_ deliveries: [WebhookDelivery], capacity: Int, _ db: Database) throws -> Int {
        guard !deliveries.isEmpty else { return 0 }
        var receivers: Set<String> = []
        for var d in deliveries {
            // The same event twice (a replay after a crash) is owed once.
            try d.insert(db, onConflict: .ignore)
            receivers.insert(d.receiver)
        }
        var dropped = 0
        for receiver in receivers.sorted() {
            try db.execute(sql: """
                DELETE FROM webhook_delivery WHERE id IN (
                  SELECT id FROM webhook_delivery WHERE receiver = ? AND state = 'pending' ORDER BY id DESC LIMIT -1 OFFSET ?)
                """, arguments: [receiver, max(0, capacity)])
            dropped += db.changesCount
        }
        return dropped
    }

    /// Given-up rows older than `days` (by the time they were committed), and beyond
    /// `WebhookDelivery.defaultCapacity` per receiver, oldest first.
    static func purgeGivenUpDeliveries(olderThanDays days: Int, _ db: Database) throws -> Int {
        let cutoff = CivilTime.rfc3339(CivilTime.nowMicros() - Int64(days) * 86_400 * CivilTime.microsPerSecond)
        try db.execute(sql: "DELETE FROM webhook_delivery WHERE state = 'given_up' AND created < ?", arguments: [cutoff])
        var removed = db.changesCount
        let receivers = try String.fetchAll(db, sql: "SELECT DISTINCT receiver FROM webhook_delivery WHERE state = 'given_up'")
        for receiver in receivers {
            try db.execute(sql: """
                DELETE FROM webhook_delivery WHERE id IN (
                  SELECT id FROM webhook_delivery WHERE receiver = ? AND state = 'given_up' ORDER BY id DESC LIMIT -1 OFFSET ?)
                """, arguments: [receiver, WebhookDelivery.defaultCapacity])
            removed += db.changesCount
        }
        return removed
    }

    /// Pending deliveries to `receiver` that may be tried at `now` (µs), never-tried ones first
    /// (a new event does not queue behind old ones in back-off), then in commit order. An
    /// alert's events go one at a time, in order: a row waits while an earlier row of the same
    /// alert is pending, so a receiver never hears `closed` before `opened`.
    public func dueWebhookDeliveries(receiver: String, now: Int64, excluding busy: Set<Int64> = [], limit: Int) throws(StoreError) -> [WebhookDelivery] {
        guard limit > 0 else { return [] }
        return try read { db in
            try WebhookDelivery.fetchAll(db, sql: """
                SELECT * FROM webhook_delivery AS d
                WHERE d.state = 'pending' AND d.receiver = ? AND d.next_attempt <= ?
                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery AS p
                                  WHERE p.receiver = d.receiver AND p.alert_id = d.alert_id AND p.state = 'pending' AND p.id < d.id)
                ORDER BY d.attempts > 0, d.id
                LIMIT ?
                """, arguments: [receiver, now, limit + busy.count])
            .filter { !busy.contains($0.id ?? -1) }
            .prefix(limit).map { $0 }
        }
    }

    /// Pending rows in back-off become due at `now`: a (re)start tries every owed event at once,
    /// so a receiver fixed while the daemon was down hears everything without waiting out the
    /// back-off. Returns the rows pending.
    @discardableResult
    public func resetWebhookBackoff(now: Int64) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "UPDATE webhook_delivery SET next_attempt = ? WHERE state = 'pending' AND next_attempt > ?", arguments: [now, now])
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery WHERE state = 'pending'") ?? 0
        }
    }

    /// The receiver answered 2xx: the row goes.
    public func webhookDelivered(id: Int64) throws(StoreError) {
        try write { db in try db.execute(sql: "DELETE FROM webhook_delivery WHERE id = ?", arguments: [id]) }
    }

    /// A failed attempt to be tried again at `nextAttempt` (µs).
    public func webhookFailed(id: Int64, attempts: Int, nextAttempt: Int64, error: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE webhook_delivery SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ? AND state = 'pending'",
                           arguments: [attempts, nextAttempt, error, id])
        }
    }

    /// Delivery abandoned: kept (listed by `webhooks failed`) until retention.
    public func webhookGivenUp(id: Int64, attempts: Int, reason: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE webhook_delivery SET attempts = ?, state = 'given_up', last_error = ? WHERE id = ?",
                           arguments: [attempts, reason, id])
        }
    }

    /// Pending rows for receivers not in `receivers` (removed from the configuration) are given
    /// up, so they are listed and can be retried once the receiver is configured again.
    @discardableResult
    public func giveUpWebhooks(notTo receivers: [String], reason: String) throws(StoreError) -> Int {
        try write { db in
            let placeholders = receivers.map { _ in "?" }.joined(separator: ", ")
            var args: [String] = [reason]
            args += receivers
            let sql = receivers.isEmpty
                ? "UPDATE webhook_delivery SET state = 'given_up', last_error = ? WHERE state = 'pending'"
                : "UPDATE webhook_delivery SET state = 'given_up', last_error = ? WHERE state = 'pending' AND receiver NOT IN (\(placeholders))"
            try db.execute(sql: sql, arguments: StatementArguments(args))
            return db.changesCount
        }
    }

    /// Given-up rows back to pending, due at `now`: all of them, or those of the listed event ids.
    @discardableResult
    public func retryGivenUpWebhooks(eventIDs: [String]?, now: Int64) throws(StoreError) -> Int {
        try write { db in
            var sql = "UPDATE webhook_delivery SET state = 'pending', attempts = 0, next_attempt = ?, last_error = NULL WHERE state = 'given_up'"
            var args: [any DatabaseValueConvertible] = [now]
            if let eventIDs {
                sql += " AND event_id IN (\(eventIDs.map { _ in "?" }.joined(separator: ", ")))"
                args += eventIDs as [any DatabaseValueConvertible]
                if eventIDs.isEmpty { return 0 }
            }
            try db.execute(sql: sql, arguments: StatementArguments(args))
            return db.changesCount
        }
    }

    /// Rows in `state`, oldest first.
    public func webhookDeliveries(state: WebhookDelivery.State, limit: Int? = nil) throws(StoreError) -> [WebhookDelivery] {
        try read { db in
            var sql = "SELECT * FROM webhook_delivery WHERE state = ? ORDER BY id"
            var args: [any DatabaseValueConvertible] = [state.rawValue]
            if let limit { sql += " LIMIT ?"; args.append(limit) }
            return try WebhookDelivery.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
    }

    /// Rows per state, for `/metrics`.
    public func webhookCounts() throws(StoreError) -> (pending: Int, givenUp: Int) {
        try read { db in
            var counts = (pending: 0, givenUp: 0)
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM webhook_delivery GROUP BY state") {
                switch WebhookDelivery.State(rawValue: row["state"]) {
                case .pending: counts.pending = row["n"]
                case .givenUp: counts.givenUp = row["n"]
                case nil: break
                }
            }
            return counts
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw StoreError("cannot write to the store \(path): \(error)")
        }
    }
}
