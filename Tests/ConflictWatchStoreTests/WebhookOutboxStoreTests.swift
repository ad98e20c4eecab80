import ConflictWatchCore
import Foundation
import GRDB
import Logging
import Testing
@testable import ConflictWatchStore

/// The webhook outbox in a real SQLite file (SPEC §8).
@Suite final class WebhookOutboxStoreTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-outbox-\(UUID().uuidString.prefix(8))").path

    // A suite instance per test: its directory goes with it.
    deinit { try? FileManager.default.removeItem(atPath: dir) }
    let logger = Logger(label: "test")

    static func delivery(_ eventID: String, alert: String? = nil, to receiver: String = "http://r/hook", now: Int64 = 0) -> WebhookDelivery {
        let alertID = alert ?? String(eventID.split(separator: "/").first ?? "a")
        return WebhookDelivery(receiver: receiver, eventID: eventID, alertID: alertID, kind: "opened",
                               body: "{\"event_id\":\"\(eventID)\"}", created: CivilTime.rfc3339(CivilTime.nowMicros()), nextAttempt: now)
    }

    func counts(_ store: ConflictStore) throws -> (alerts: Int, events: Int, deliveries: Int) {
        try store.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert_event")!,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM webhook_delivery")!)
        }
    }

    /// The outbox rows commit with the alert change and its events, or none of them do.
    @Test func outboxRowsCommitAtomicallyWithTheAlertChange() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        // A write that fails after the first outbox row is in: the transaction must take back the
        // alert, its events and that row together.
        try store.pool.write { db in
            try db.execute(sql: """
                CREATE TRIGGER fail_second AFTER INSERT ON webhook_delivery WHEN NEW.event_id = 'a1/1-closed'
                BEGIN SELECT RAISE(ABORT, 'disk full'); END
                """)
        }
        var batch = StoreBatch()
        batch.alerts = [try ConflictStoreTests.alert("a1", start: "2026-11-24T10:00:00.000000Z", end: "2026-11-24T10:05:00.000000Z")]
        batch.events = [AlertTransition(kind: .opened, alertID: "a1", time: 0, sequence: 0),
                        AlertTransition(kind: .closed, alertID: "a1", time: 1, sequence: 1)]
        batch.webhookDeliveries = [Self.delivery("a1/0-opened"), Self.delivery("a1/1-closed")]
        #expect(throws: StoreError.self) { try store.commit(batch) }
        var n = try counts(store)
        #expect(n.alerts == 0 && n.events == 0 && n.deliveries == 0, "rolled back together: \(n)")

        try store.pool.write { try $0.execute(sql: "DROP TRIGGER fail_second") }
        try store.commit(batch)
        n = try counts(store)
        #expect(n.alerts == 1 && n.events == 2 && n.deliveries == 2, "\(n)")
        // A replay of the same events (a restart re-reading lines) owes them once.
        try store.commit(batch)
        #expect(try counts(store).deliveries == 2)
    }

    @Test func fullOutboxDropsTheOldestPendingAndCountsThem() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var batch = StoreBatch()
        batch.webhookCapacity = 3
        batch.webhookDeliveries = (1...5).map { Self.delivery("a\($0)/0-opened") } + [Self.delivery("a1/0-opened", to: "http://other/")]
        let summary = try store.commit(batch)
        #expect(summary.webhooksDropped == 2)
        #expect(try store.webhookDeliveries(state: .pending).filter { $0.receiver == "http://r/hook" }.map(\.eventID)
                == ["a3/0-opened", "a4/0-opened", "a5/0-opened"])
        #expect(try store.webhookCounts().pending == 4, "another receiver's rows are not counted against it")
    }

    /// New events go before retries; an alert's events one at a time, in order; rows in flight
    /// are left out; back-off is respected.
    @Test func dueOrderSkipsAheadButKeepsEachAlertInOrder() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var batch = StoreBatch()
        batch.webhookDeliveries = [Self.delivery("old/0-opened"), Self.delivery("a/0-opened"), Self.delivery("a/1-closed"),
                                   Self.delivery("b/0-opened"), Self.delivery("c/0-opened", now: 5_000)]
        try store.commit(batch)
        let rows = try store.webhookDeliveries(state: .pending)
        let old = try #require(rows.first?.id)
        try store.webhookFailed(id: old, attempts: 1, nextAttempt: 0, error: "HTTP 503")
        func due(_ busy: Set<Int64> = [], now: Int64 = 1_000, limit: Int = 10) throws -> [String] {
            try store.dueWebhookDeliveries(receiver: "http://r/hook", now: now, excluding: busy, limit: limit).map(\.eventID)
        }
        #expect(try due() == ["a/0-opened", "b/0-opened", "old/0-opened"], "new first; a's closed waits for its opened; c not due")
        #expect(try due(limit: 1) == ["a/0-opened"])
        let a0 = try #require(rows.first { $0.eventID == "a/0-opened" }?.id)
        #expect(try due([a0]) == ["b/0-opened", "old/0-opened"], "in flight: a's opened still holds a's closed")
        #expect(try due(now: 5_000) == ["a/0-opened", "b/0-opened", "c/0-opened", "old/0-opened"])
        try store.webhookDelivered(id: a0)
        #expect(try due() == ["a/1-closed", "b/0-opened", "old/0-opened"])
        // A given-up opened does not hold the closed for ever.
        try store.webhookGivenUp(id: old, attempts: 9, reason: "HTTP 404")
        #expect(try store.webhookDeliveries(state: .givenUp).map(\.eventID) == ["old/0-opened"])
        #expect(try store.webhookCounts() == (pending: 3, givenUp: 1))
        // A start tries what is in back-off at once.
        #expect(try store.resetWebhookBackoff(now: 1_000) == 3)
        #expect(try due().contains("c/0-opened"))
    }

    @Test func removedReceiversAreGivenUpAndRetryQueuesThemAgain() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var batch = StoreBatch()
        batch.webhookDeliveries = [Self.delivery("a/0-opened"), Self.delivery("a/0-opened", to: "http://gone/"), Self.delivery("b/0-opened", to: "http://gone/")]
        try store.commit(batch)
        #expect(try store.giveUpWebhooks(notTo: ["http://r/hook"], reason: "receiver no longer configured") == 2)
        let given = try store.webhookDeliveries(state: .givenUp)
        #expect(given.map(\.receiver) == ["http://gone/", "http://gone/"] && given.allSatisfy { $0.lastError == "receiver no longer configured" })
        #expect(try store.retryGivenUpWebhooks(eventIDs: ["b/0-opened"], now: 7) == 1)
        let b = try #require(try store.webhookDeliveries(state: .pending).first { $0.eventID == "b/0-opened" })
        #expect(b.attempts == 0 && b.nextAttempt == 7 && b.lastError == nil)
        #expect(try store.retryGivenUpWebhooks(eventIDs: nil, now: 7) == 1)
        #expect(try store.webhookCounts() == (pending: 3, givenUp: 0))
    }

    /// Delivered rows are deleted at once; given-up rows stay for the retention, by wall clock.
    @Test func givenUpRowsAreKeptForTheRetention() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var recent = Self.delivery("new/0-opened")
        var stale = Self.delivery("old/0-opened")
        stale.created = CivilTime.rfc3339(CivilTime.nowMicros() - 31 * 86_400 * 1_000_000)
        recent.state = .givenUp
        stale.state = .givenUp
        var batch = StoreBatch()
        batch.webhookDeliveries = [stale, recent, Self.delivery("pending/0-opened")]
        try store.commit(batch)
        #expect(try store.applyRetention(days: 30) == 1)
        #expect(try store.webhookDeliveries(state: .givenUp).map(\.eventID) == ["new/0-opened"])
        #expect(try store.webhookCounts().pending == 1, "pending rows are never purged by age")
    }
}
