import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Testing
@testable import ConflictWatchFleet

/// The fleet's webhook outbox (SPEC §7, §8) against a real PostgreSQL: the aggregator's commit
/// owes each unsilenced alert event once to each receiver that wants it, announces an open
/// alert whose silence ended exactly once, and the queue is read and marked as the embedded
/// store's is.
@Suite struct FleetWebhooksTests {
    static let logger = FleetDatabaseTests.logger
    static let now = CivilTime.nowMicros()
    static let hour: Int64 = 3600 * CivilTime.microsPerSecond
    static let hook = "http://127.0.0.1:9/hook", pager = "http://127.0.0.1:9/pager"
    static let targets = [WebhookTarget(url: hook), WebhookTarget(url: pager, minSeverity: .critical)]

    static func alert(_ id: String, route: String = "/api/orders/{id}", end: String? = nil) -> Alert {
        FleetResultsTests.alert(id, route: route, start: "2026-11-24T10:00:00.000000Z", end: end, agents: ["web1", "web2"])
    }

    static func transition(_ kind: AlertTransition.Kind, _ id: String, _ sequence: Int) -> AlertTransition {
        AlertTransition(kind: kind, alertID: id, time: 1_795_514_400_000_000, sequence: sequence)
    }

    @discardableResult
    static func commit(_ db: FleetDatabase, _ alerts: [Alert], _ events: [AlertTransition], at now: Int64 = now,
                       capacity: Int = WebhookDelivery.defaultCapacity) async throws -> (owed: Int, dropped: Int) {
        var batch = FleetDatabase.AggregatorCommit(state: .init(model: nil, positions: [:], watermark: 0, holder: "web1"))
        batch.alerts = alerts.map { ($0, ["web1", "web2"]) }
        batch.events = events
        batch.now = now
        batch.webhooks = targets
        batch.webhookCapacity = capacity
        return try await db.commit(batch)
    }

    static func pending(_ db: FleetDatabase) async throws -> [String] {
        try await db.webhookDeliveries(state: .pending, limit: nil).map { "\($0.receiver == hook ? "hook" : "pager") \($0.eventID)" }
    }

    @Test func theAggregatorOwesEachUnsilencedEventOnceAndAnnouncesAReleasedAlertOnce() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("hooks_owe") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await db.close() } }
        let s = Silence.make(matchers: .init(route: "/api/users/*"), seconds: 3600, comment: "deploy", author: "ops", now: Self.now)
        try await db.addSilence(s)
        let opened = [Self.transition(.opened, "a", 0), Self.transition(.opened, "quiet", 0)]
        let first = try await Self.commit(db, [Self.alert("a"), Self.alert("quiet", route: "/api/users/{id}")], opened)
        #expect(first.owed == 1 && first.dropped == 0)
        #expect(try await Self.pending(db) == ["hook a/0-opened"], "the silenced alert is owed to no one; the pager wants critical only")
        let body = try #require(try await db.webhookDeliveries(state: .pending, limit: 1).first?.body)
        let fields = try #require(JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(fields["event"] as? String == "opened" && fields["event_id"] as? String == "a/0-opened" && fields["agents"] as? [String] == ["web1", "web2"])

        // The same commit again (a successor replaying it): nothing owed twice.
        #expect(try await Self.commit(db, [Self.alert("a"), Self.alert("quiet", route: "/api/users/{id}")], opened).owed == 0)
        #expect(try await Self.pending(db) == ["hook a/0-opened"])

        // The silence is expired from the CLI while the alert is open: the next commit (carrying
        // nothing about it) announces it opened, under the event id its opening had, once.
        let expiry = CivilTime.nowMicros()
        _ = try await db.expireSilence(id: s.id, now: expiry)
        try await Self.commit(db, [], [], at: expiry + 1)
        #expect(try await Self.pending(db) == ["hook a/0-opened", "hook quiet/0-opened"])
        try await Self.commit(db, [], [], at: expiry + 2)
        #expect(try await Self.pending(db).count == 2, "announced once")

        // Closing: owed after its opening; an alert's rows go one at a time, in order.
        try await Self.commit(db, [Self.alert("a", end: "2026-11-24T10:05:00.000000Z")], [Self.transition(.closed, "a", 1)], at: expiry + 3)
        #expect(try await Self.pending(db) == ["hook a/0-opened", "hook quiet/0-opened", "hook a/1-closed"])
        let due = try await db.dueWebhookDeliveries(receiver: Self.hook, now: expiry + 10, excluding: [], limit: 10).map(\.eventID)
        #expect(due == ["a/0-opened", "quiet/0-opened"], "a's close waits for its opening")
    }

    @Test func theQueueIsReadAndMarkedAsTheEmbeddedStoresIs() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("hooks_queue") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        let queue: any WebhookQueue = FleetResults(database: db, logger: Self.logger)
        defer { Task { await db.close() } }
        try await Self.commit(db, ["a", "b", "c"].map { Self.alert($0) }, ["a", "b", "c"].map { Self.transition(.opened, $0, 0) })
        var rows = try await queue.webhookDeliveries(state: .pending, limit: nil)
        #expect(rows.map(\.eventID) == ["a/0-opened", "b/0-opened", "c/0-opened"])
        let (a, b, c) = (rows[0].id!, rows[1].id!, rows[2].id!)
        #expect(try await queue.dueWebhookDeliveries(receiver: Self.hook, now: Self.now, excluding: [a], limit: 1).map(\.id) == [b],
                "in-flight rows are left out")

        try await queue.webhookDelivered(id: a)
        try await queue.webhookFailed(id: b, attempts: 1, nextAttempt: Self.now + Self.hour, error: "HTTP 503")
        #expect(try await queue.dueWebhookDeliveries(receiver: Self.hook, now: Self.now, excluding: [], limit: 10).map(\.id) == [c],
                "in back-off: not due")
        try await queue.webhookFailed(id: c, attempts: 1, nextAttempt: Self.now - 1, error: "HTTP 503")
        try await Self.commit(db, [Self.alert("d")], [Self.transition(.opened, "d", 0)])
        let d = try #require(try await queue.webhookDeliveries(state: .pending, limit: nil).last?.id)
        #expect(try await queue.dueWebhookDeliveries(receiver: Self.hook, now: Self.now, excluding: [], limit: 10).map(\.id) == [d, c],
                "never-tried first")
        #expect(try await queue.resetWebhookBackoff(now: Self.now) == 3)
        #expect(try await queue.dueWebhookDeliveries(receiver: Self.hook, now: Self.now, excluding: [], limit: 10).map(\.id) == [d, b, c])

        try await queue.webhookGivenUp(id: b, attempts: 2, reason: "HTTP 404 (not retried)")
        rows = try await queue.webhookDeliveries(state: .givenUp, limit: nil)
        #expect(rows.map(\.id) == [b] && rows[0].attempts == 2 && rows[0].lastError == "HTTP 404 (not retried)")
        #expect(try await queue.webhookCounts() == (pending: 2, givenUp: 1))
        #expect(try await queue.retryGivenUpWebhooks(eventIDs: ["nope"], now: Self.now) == 0)
        #expect(try await queue.retryGivenUpWebhooks(eventIDs: ["b/0-opened"], now: Self.now) == 1)
        #expect(try await queue.webhookCounts() == (pending: 3, givenUp: 0))
        #expect(try await queue.giveUpWebhooks(notTo: [Self.pager], reason: "receiver no longer configured") == 3)
        #expect(try await queue.retryGivenUpWebhooks(eventIDs: nil, now: Self.now) == 3)
        #expect(try await queue.webhookDeliveries(state: .pending, limit: 2).count == 2)
    }

    @Test func aReceiverKeepsItsNewestPendingRowsUpToTheCapacity() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("hooks_cap") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await db.close() } }
        try await Self.commit(db, ["a", "b"].map { Self.alert($0) }, ["a", "b"].map { Self.transition(.opened, $0, 0) }, capacity: 2)
        let outcome = try await Self.commit(db, ["c"].map { Self.alert($0) }, [Self.transition(.opened, "c", 0)], capacity: 2)
        #expect(outcome == (owed: 1, dropped: 1))
        #expect(try await Self.pending(db) == ["hook b/0-opened", "hook c/0-opened"])
    }
}
