import ConflictWatchCore
import ConflictWatchStore
import Testing
@testable import ConflictWatchFleet

/// The aggregator while it leads, against a real PostgreSQL: when what it accounted reaches the
/// database.
@Suite struct FleetLeaderTests {
    /// Two agents' summaries: `count` exchanges each, from `start` on, one every 10 ms.
    static func summary(agent: Int, start: Int64, count: Int) -> FleetSummary {
        var writer = FleetSummaryWriter()
        var last = start
        for i in 0..<count {
            last = start + Int64(i) * 10_000
            let e = Exchange(time: last, client: "10.0.\(agent).\(i % 7)", method: i % 2 == 0 ? "PUT" : "GET",
                             path: "/api/orders/\(i % 13)", route: "", status: 200, latencyMs: 3)
            e.withView { writer.append($0) }
        }
        return writer.take(clock: last)
    }

    /// Busy, the leader commits once a second (each commit writes the model's state); once a
    /// look finds nothing new shipped, what it accounted is committed at once instead of up to
    /// a second later — the fleet's results (and alerts) as fresh as the agents' shipping.
    @Test(.timeLimit(.minutes(1))) func whatWasAccountedIsCommittedOnceTheLeaderHasCaughtUp() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("leader") else { return }
        let logger = FleetDatabaseTests.logger
        let db = try await FleetDatabase.connect(url, logger: logger)
        let reader = try await FleetDatabase.connect(url, logger: logger)
        let start: Int64 = 1_780_000_000_000_000
        for agent in 0..<2 {
            let rows = (1...2).map { seq in
                ConflictStore.FleetOutboxRow(
                    seq: Int64(seq), summary: Self.summary(agent: agent, start: start + Int64(seq - 1) * 5_000_000 + Int64(agent) * 1_000, count: 400))
            }
            try await db.ship(agent: "web\(agent)", incarnation: "i\(agent)", rows: rows)
        }
        #expect(try await db.tryTakeAggregatorRole())
        let settings = FleetAggregator.Settings(url: url, agent: "web0", parameters: ModelParameters())
        var leader = try await FleetLeader(db: db, reader: reader, settings: settings, logger: logger)

        // Each look takes one summary per agent: the first summaries, then the second ones.
        #expect(try await leader.step(now: 100))
        let first = try #require(try await db.aggregatorState())
        #expect(first.positions == leader.merge.positions, "the first commit is at once")
        #expect(try await leader.step(now: 100.3))
        #expect(leader.accounted > 800, "the second summaries were accounted")
        #expect(try await db.aggregatorState()?.positions == first.positions, "busy: no second commit within the second")
        // Nothing new shipped: the next look finds nothing, and the leader commits now.
        _ = try await leader.step(now: 100.3 + FleetLeader.caughtUpCommitInterval)
        #expect(try await db.aggregatorState()?.positions == leader.merge.positions)

        await leader.stop()
        await reader.close()
        await db.close()
    }
}
