import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Testing
@testable import ConflictWatchFleet

/// Silences on the fleet's alerts (SPEC §6, §7), against a real PostgreSQL: set from anywhere,
/// they flag the open fleet alerts at once, and the aggregator decides every alert it commits
/// against the silences in force then.
@Suite struct FleetSilencesTests {
    static let logger = FleetDatabaseTests.logger
    static let now = CivilTime.nowMicros()
    static let hour: Int64 = 3600 * CivilTime.microsPerSecond

    static func alert(_ id: String, route: String, end: String? = nil) -> Alert {
        FleetResultsTests.alert(id, route: route, start: "2026-11-24T10:00:00.000000Z", end: end, agents: ["web1"])
    }

    static func commit(_ db: FleetDatabase, _ alerts: [Alert], at now: Int64 = now) async throws {
        var batch = FleetDatabase.AggregatorCommit(state: .init(model: nil, positions: [:], watermark: 0, holder: "web1"))
        batch.alerts = alerts.map { ($0, ["web1"]) }
        batch.now = now
        try await db.commit(batch)
    }

    static func flags(_ db: FleetDatabase) async throws -> [String: Bool] {
        try await db.alerts(AlertFilter()).reduce(into: [:]) { $0[$1.id] = $1.silenced }
    }

    @Test func aSilenceFlagsTheOpenFleetAlertsItCoversUntilItIsExpired() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("silence") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await db.close() } }
        try await Self.commit(db, [
            Self.alert("open-orders", route: "/api/orders/{id}"), Self.alert("open-users", route: "/api/users/{id}"),
            Self.alert("closed-orders", route: "/api/orders/{id}", end: "2026-11-24T10:05:00.000000Z"),
        ])
        let s = Silence.make(matchers: .init(route: "/api/orders/*"), seconds: 3600, comment: "deploy", author: "ops", now: Self.now)
        try await db.addSilence(s)
        #expect(try await Self.flags(db) == ["open-orders": true, "open-users": false, "closed-orders": false],
                "the open alert it covers at once; history is not rewritten")
        #expect(try await db.silences().map(\.id) == [s.id])
        #expect(try await db.silence(id: s.id) == s)
        var hide = AlertFilter()
        hide.hideSilenced = true
        #expect(try await db.alerts(hide).map(\.id).sorted() == ["closed-orders", "open-users"])

        let expired = try #require(try await db.expireSilence(id: s.id))
        #expect(expired.expired && expired.id == s.id)
        #expect(try await Self.flags(db)["open-orders"] == false, "expired: counted again")
        let active = try await db.silences(), all = try await db.silences(includeExpired: true)
        #expect(active.isEmpty && all.map(\.id) == [s.id])
        #expect(try await db.expireSilence(id: "s-none") == nil)
    }

    @Test func theAggregatorDecidesEachAlertAgainstTheSilencesInForce() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("silence_agg") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await db.close() } }
        let s = Silence.make(matchers: .init(route: "/api/orders/*"), seconds: 3600, comment: "deploy", author: "ops", now: Self.now)
        try await db.addSilence(s)
        // Opened and closed under the silence (between two commits): silenced for its whole life.
        try await Self.commit(db, [
            Self.alert("brief", route: "/api/orders/{id}", end: "2026-11-24T10:00:20.000000Z"),
            Self.alert("long", route: "/api/orders/{id}"), Self.alert("other", route: "/api/users/{id}"),
        ])
        #expect(try await Self.flags(db) == ["brief": true, "long": true, "other": false])
        // Two hours on the silence has run out: the open alert it covered counts again, though
        // this commit does not carry it; the closed one keeps its flag.
        try await Self.commit(db, [Self.alert("other", route: "/api/users/{id}")], at: Self.now + 2 * Self.hour)
        #expect(try await Self.flags(db) == ["brief": true, "long": false, "other": false])
    }

    @Test func silencesEndedLongerAgoThanTheRetentionArePruned() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("silence_prune") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await db.close() } }
        let old = Silence.make(matchers: .init(), seconds: 60, comment: "old", author: "ops", now: Self.now - 40 * 24 * Self.hour)
        let recent = Silence.make(matchers: .init(), seconds: 60, comment: "recent", author: "ops", now: Self.now - 2 * 24 * Self.hour)
        try await db.addSilence(old)
        try await db.addSilence(recent)
        #expect(try await db.pruneSummaries(positions: [:], keepDays: 30) == 1)
        #expect(try await db.silences(includeExpired: true).map(\.id) == [recent.id])
    }
}
