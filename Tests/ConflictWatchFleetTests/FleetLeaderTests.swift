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

    /// Busy, the leader commits once a second (each commit rewrites the model's state). Once a
    /// look finds nothing new after it worked through a backlog (busy at least half the time
    /// since its last commit, `FleetCommitPacer`), what it accounted is committed at once
    /// instead of up to a second later — the fleet's results (and alerts) as fresh as the
    /// agents' shipping. A leader that keeps up with a trickle still commits once a second.
    /// The steps' times are those of a leader that goes straight on after a step that worked.
    @Test(.timeLimit(.minutes(1))) func aLeaderThatCaughtUpWithABacklogCommitsAtOnceOneThatKeepsUpOnceASecond() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("leader") else { return }
        let logger = FleetDatabaseTests.logger
        let db = try await FleetDatabase.connect(url, logger: logger)
        let reader = try await FleetDatabase.connect(url, logger: logger)
        let start: Int64 = 1_780_000_000_000_000
        func ship(_ seqs: ClosedRange<Int>) async throws {
            for agent in 0..<2 {
                let rows = seqs.map { seq in
                    ConflictStore.FleetOutboxRow(
                        seq: Int64(seq),
                        summary: Self.summary(agent: agent, start: start + Int64(seq - 1) * 5_000_000 + Int64(agent) * 1_000, count: 400))
                }
                try await db.ship(agent: "web\(agent)", incarnation: "i\(agent)", rows: rows)
            }
        }
        try await ship(1...3)
        #expect(try await db.tryTakeAggregatorRole())
        let settings = FleetAggregator.Settings(url: url, agent: "web0", parameters: ModelParameters())
        var leader = try await FleetLeader(db: db, reader: reader, settings: settings, logger: logger)
        func stored() async throws -> [String: FleetMerge.Position]? { try await db.aggregatorState()?.positions }

        // A backlog: each look takes one summary per agent. The first look is not committed
        // alone; 0.3 s into the work, with more coming, it is.
        #expect(try await leader.step(now: 100))
        #expect(try await stored() == nil, "the first look of a burst")
        #expect(try await leader.step(now: 100.3))
        #expect(try await stored() == leader.merge.positions, "0.3 s into the work")
        #expect(try await leader.step(now: 100.6))
        #expect(leader.accounted > 2_000, "the third summaries were accounted")
        #expect(try await stored() != leader.merge.positions, "busy: no commit within the second")
        // Busy since the commit at 100.3 (the steps at 100.3 and 100.6 worked): the look that
        // finds nothing commits now.
        _ = try await leader.step(now: 100.6 + FleetCommitPacer.caughtUpInterval)
        #expect(try await stored() == leader.merge.positions, "caught up with a backlog: committed at once")

        // A trickle: one summary each, taken in and accounted at once; the look straight after
        // and the next wake-up find nothing (busy 0.01 s of the 0.4 s since the last commit).
        try await ship(4...4)
        #expect(try await leader.step(now: 100.9))
        #expect(try await leader.step(now: 100.91) == false)
        #expect(try await leader.step(now: 101.2) == false)
        #expect(try await stored() != leader.merge.positions, "keeping up: no commit within the second")
        #expect(leader.commitDue(now: 101.2) == 100.8 + FleetCommitPacer.busyInterval, "the aggregator wakes then to commit")
        _ = try await leader.step(now: 100.8 + FleetCommitPacer.busyInterval)
        #expect(try await stored() == leader.merge.positions, "a second after the last")
        #expect(leader.commitDue(now: 101.9) == nil, "nothing waits for a commit")

        await leader.stop()
        await reader.close()
        await db.close()
    }
}
