import ConflictWatchCore
import ConflictWatchStore
import Testing
@testable import ConflictWatchFleet

/// The leader's wake-ups from the agents' shipping (PostgreSQL's NOTIFY).
@Suite struct FleetNotifyTests {
    /// The leader's connection listens; an agent's shipping with summaries wakes it at once —
    /// not at the leader's next poll (the timer here is 30 s).
    @Test(.timeLimit(.minutes(1))) func shippingSummariesWakesTheListeningLeader() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("notify") else { return }
        let logger = FleetDatabaseTests.logger
        let leader = try await FleetDatabase.connect(url, logger: logger)
        let agent = try await FleetDatabase.connect(url, logger: logger)
        let wakeups = Wakeups()
        let row = ConflictStore.FleetOutboxRow(seq: 1, summary: FleetLeaderTests.summary(agent: 1, start: 1_780_000_000_000_000, count: 20))
        let waited = try await leader.wakingOnShippedSummaries(wakeups) { () async throws(FleetError) -> Duration in
            try await wakeups.withTimer(every: .seconds(30)) { (w: inout Wakeups.Waiter) async throws(FleetError) -> Duration in
                try await agent.ship(agent: "web1", incarnation: "i1", rows: [row])
                let start = ContinuousClock.now
                await w.next()
                return ContinuousClock.now - start
            }
        }
        #expect(waited < .seconds(5), "woken after \(waited)")
        await agent.close()
        await leader.close()
    }
}
