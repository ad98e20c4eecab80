import ConflictWatchCore
import ConflictWatchStore
import Logging
import PostgresNIO

/// The webhook outbox of the fleet's alert events (SPEC §7, §8): written by the aggregator in
/// the transaction that commits the alert change (`owe`), read and marked by the sender of the
/// agent holding the role and by `conflictwatch webhooks … --database-url`. The same rules as the
/// embedded store's outbox (`ConflictStore+Webhooks`), in PostgreSQL's words.
extension FleetDatabase {
    static let deliveryColumns = "id, receiver, event_id, alert_id, kind, body, created, attempts, next_attempt, state, last_error"

    /// In the aggregator's commit, after the alerts' silences are decided: the events of
    /// unsilenced alerts owed to the receivers in `targets`, and an `opened` for every open
    /// alert the receivers have not heard of yet although nothing silences it now (its silence
    /// ran out or was expired, here or from the CLI). `alerts` are the commit's alerts as
    /// stored. Returns the rows inserted and the pending rows dropped beyond `capacity`.
    static func owe(_ transitions: [AlertTransition], alerts: [String: Alert], targets: [WebhookTarget], capacity: Int, now: Int64,
                    _ c: PostgresConnection, logger: Logger) async throws -> (owed: Int, dropped: Int) {
        let openedNow = Set(transitions.lazy.filter { $0.kind == .opened }.map(\.alertID))
        var events: [AlertEvent] = []
        // Marked announced whether or not a receiver is configured: a receiver added later hears
        // of what happens next, as with one daemon.
        for try await json in try await c.query("""
            UPDATE fleet_alert SET announced = true WHERE "end" IS NULL AND NOT silenced AND NOT announced RETURNING json
            """, logger: logger).decode(String.self) {
            let alert = try RecordJSON.decode(Alert.self, from: json)
            guard !openedNow.contains(alert.id) else { continue }
            // Under the event id its opening had: a receiver that heard it before can tell.
            events.append(AlertEvent(kind: .opened, alert: alert,
                                     eventID: AlertTransition(kind: .opened, alertID: alert.id, time: 0, sequence: 0).eventID))
        }
        events.sort { $0.alert.id < $1.alert.id }
        // A silenced alert's events are stored (its life is kept) but owed to no receiver.
        events += transitions.compactMap { t in
            alerts[t.alertID].flatMap { $0.silenced ? nil : AlertEvent(kind: t.kind, alert: $0, eventID: t.eventID) }
        }
        guard !targets.isEmpty, !events.isEmpty else { return (0, 0) }
        let (rows, unencodable) = WebhookDelivery.rows(for: events, targets: targets, now: now)
        for (alert, error) in unencodable {
            logger.error("webhook body not encodable", metadata: ["alert": "\(alert)", "error": "\(error)"])
        }
        var owed = 0
        for d in rows {
            // The same event twice (a commit replayed after a takeover) is owed once.
            for try await n in try await c.query("""
                WITH i AS (INSERT INTO fleet_webhook_delivery (receiver, event_id, alert_id, kind, body, created, next_attempt)
                           VALUES (\(d.receiver), \(d.eventID), \(d.alertID), \(d.kind), \(d.body), \(d.created), \(d.nextAttempt))
                           ON CONFLICT (receiver, event_id) DO NOTHING RETURNING 1)
                SELECT count(*)::int8 FROM i
                """, logger: logger).decode(Int64.self) {
                owed += Int(n)
            }
        }
        // A receiver back after a long outage hears about what is going on now.
        var dropped = 0
        for receiver in Set(rows.map(\.receiver)).sorted() {
            for try await n in try await c.query("""
                WITH d AS (DELETE FROM fleet_webhook_delivery WHERE id IN (
                    SELECT id FROM fleet_webhook_delivery WHERE receiver = \(receiver) AND state = 'pending'
                    ORDER BY id DESC OFFSET \(max(0, capacity))) RETURNING 1)
                SELECT count(*)::int8 FROM d
                """, logger: logger).decode(Int64.self) {
                dropped += Int(n)
            }
        }
        return (owed, dropped)
    }

    public func dueWebhookDeliveries(receiver: String, now: Int64, excluding busy: Set<Int64>, limit: Int) async throws(FleetError) -> [WebhookDelivery] {
        guard limit > 0 else { return [] }
        let busy = Array(busy)
        return try await deliveries("read the webhook outbox", """
            SELECT \(Self.deliveryColumns) FROM fleet_webhook_delivery AS d
            WHERE d.state = 'pending' AND d.receiver = $1 AND d.next_attempt <= $2 AND NOT (d.id = ANY($3::int8[]))
              AND NOT EXISTS (SELECT 1 FROM fleet_webhook_delivery AS p
                              WHERE p.receiver = d.receiver AND p.alert_id = d.alert_id AND p.state = 'pending' AND p.id < d.id)
            ORDER BY d.attempts > 0, d.id
            LIMIT $4
            """, { b in b.append(receiver); b.append(now); b.append(busy); b.append(Int64(limit)) })
    }

    public func webhookDeliveries(state: WebhookDelivery.State, limit: Int?) async throws(FleetError) -> [WebhookDelivery] {
        try await deliveries("read the webhook outbox", """
            SELECT \(Self.deliveryColumns) FROM fleet_webhook_delivery WHERE state = $1 ORDER BY id LIMIT $2
            """, { b in b.append(state.rawValue); b.append(limit.map(Int64.init)) })
    }

    private func deliveries(_ doing: String, _ sql: String, _ bind: @escaping @Sendable (inout PostgresBindings) -> Void) async throws(FleetError) -> [WebhookDelivery] {
        try await run(doing) {
            var binds = PostgresBindings()
            bind(&binds)
            var out: [WebhookDelivery] = []
            let rows = try await self.connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: self.logger)
            for try await (id, receiver, eventID, alertID, kind, body, created, attempts, nextAttempt, state, lastError)
                in rows.decode((Int64, String, String, String, String, String, String, Int32, Int64, String, String?).self) {
                var d = WebhookDelivery(receiver: receiver, eventID: eventID, alertID: alertID, kind: kind, body: body,
                                        created: created, nextAttempt: nextAttempt)
                d.id = id
                d.attempts = Int(attempts)
                d.state = WebhookDelivery.State(rawValue: state) ?? .pending
                d.lastError = lastError
                out.append(d)
            }
            return out
        }
    }

    /// Runs a statement that changes rows and returns how many (`WITH u AS (… RETURNING 1)`).
    private func changing(_ doing: String, _ query: PostgresQuery) async throws(FleetError) -> Int {
        try await run(doing) {
            var n = 0
            for try await count in try await self.connection.query(query, logger: self.logger).decode(Int64.self) { n = Int(count) }
            return n
        }
    }

    public func resetWebhookBackoff(now: Int64) async throws(FleetError) -> Int {
        _ = try await changing("reset the webhook back-off", """
            WITH u AS (UPDATE fleet_webhook_delivery SET next_attempt = \(now) WHERE state = 'pending' AND next_attempt > \(now) RETURNING 1)
            SELECT count(*)::int8 FROM u
            """)
        return try await webhookCounts().pending
    }

    public func webhookDelivered(id: Int64) async throws(FleetError) {
        _ = try await changing("mark a webhook delivered", """
            WITH d AS (DELETE FROM fleet_webhook_delivery WHERE id = \(id) RETURNING 1) SELECT count(*)::int8 FROM d
            """)
    }

    public func webhookFailed(id: Int64, attempts: Int, nextAttempt: Int64, error: String) async throws(FleetError) {
        _ = try await changing("record a failed webhook attempt", """
            WITH u AS (UPDATE fleet_webhook_delivery SET attempts = \(attempts), next_attempt = \(nextAttempt), last_error = \(error)
                       WHERE id = \(id) AND state = 'pending' RETURNING 1)
            SELECT count(*)::int8 FROM u
            """)
    }

    public func webhookGivenUp(id: Int64, attempts: Int, reason: String) async throws(FleetError) {
        _ = try await changing("give a webhook up", """
            WITH u AS (UPDATE fleet_webhook_delivery SET attempts = \(attempts), state = 'given_up', last_error = \(reason)
                       WHERE id = \(id) RETURNING 1)
            SELECT count(*)::int8 FROM u
            """)
    }

    public func giveUpWebhooks(notTo receivers: [String], reason: String) async throws(FleetError) -> Int {
        try await changing("give up webhooks for receivers no longer configured", """
            WITH u AS (UPDATE fleet_webhook_delivery SET state = 'given_up', last_error = \(reason)
                       WHERE state = 'pending' AND NOT (receiver = ANY(\(receivers)::text[])) RETURNING 1)
            SELECT count(*)::int8 FROM u
            """)
    }

    public func retryGivenUpWebhooks(eventIDs: [String]?, now: Int64) async throws(FleetError) -> Int {
        if let eventIDs, eventIDs.isEmpty { return 0 }
        let all = eventIDs == nil, ids = eventIDs ?? []
        return try await changing("queue given-up webhooks again", """
            WITH u AS (UPDATE fleet_webhook_delivery SET state = 'pending', attempts = 0, next_attempt = \(now), last_error = NULL
                       WHERE state = 'given_up' AND (\(all) OR event_id = ANY(\(ids)::text[])) RETURNING 1)
            SELECT count(*)::int8 FROM u
            """)
    }

    public func webhookCounts() async throws(FleetError) -> (pending: Int, givenUp: Int) {
        try await run("count the webhook outbox") {
            var counts = (pending: 0, givenUp: 0)
            for try await (state, n) in try await self.connection.query(
                "SELECT state, count(*)::int8 FROM fleet_webhook_delivery GROUP BY state", logger: self.logger).decode((String, Int64).self) {
                switch WebhookDelivery.State(rawValue: state) {
                case .pending: counts.pending = Int(n)
                case .givenUp: counts.givenUp = Int(n)
                case nil: break
                }
            }
            return counts
        }
    }

    /// Given-up rows committed longer ago than `days`, and beyond the capacity per receiver,
    /// oldest first (as the embedded store keeps them).
    static func pruneGivenUpWebhooks(olderThanDays days: Int, _ c: PostgresConnection, logger: Logger) async throws -> Int {
        let cutoff = CivilTime.rfc3339(CivilTime.nowMicros() - Int64(days) * 86_400 * CivilTime.microsPerSecond)
        var removed = 0
        for try await n in try await c.query("""
            WITH d AS (DELETE FROM fleet_webhook_delivery WHERE state = 'given_up' AND (created < \(cutoff) OR id IN (
                SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY receiver ORDER BY id DESC) AS r
                                FROM fleet_webhook_delivery WHERE state = 'given_up') AS g
                WHERE g.r > \(WebhookDelivery.defaultCapacity))) RETURNING 1)
            SELECT count(*)::int8 FROM d
            """, logger: logger).decode(Int64.self) {
            removed += Int(n)
        }
        return removed
    }
}
