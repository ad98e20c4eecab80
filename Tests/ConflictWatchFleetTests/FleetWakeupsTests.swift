import ConflictWatchStore
import Testing
@testable import ConflictWatchFleet

/// Wake-ups: the shipper's from its pipeline's commits, the leader's from the agents' shipping
/// (PostgreSQL's NOTIFY), and the timer behind both.
@Suite struct FleetWakeupsTests {
    /// Wake-ups said while nobody waits are kept as one: the next wait returns at once, the one
    /// after waits for the timer.
    @Test(.timeLimit(.minutes(1))) func wakeUpsAreBufferedToOne() async {
        let wakeups = FleetWakeups()
        wakeups.wake()
        wakeups.wake()
        wakeups.wake()
        let clock = ContinuousClock()
        let (first, second) = await wakeups.withTimer(every: .milliseconds(400)) { (w: inout FleetWakeups.Waiter) -> (Duration, Duration) in
            let t0 = clock.now
            await w.next()
            let t1 = clock.now
            await w.next()
            return (t1 - t0, clock.now - t1)
        }
        #expect(first < .milliseconds(100), "buffered: \(first)")
        #expect(second >= .milliseconds(200), "the timer's, not a second buffered one: \(second)")
    }

    /// Wake-ups that come thick are taken one per `spacing` (the leader's looks).
    @Test(.timeLimit(.minutes(1))) func wakeUpsAreSpaced() async {
        let wakeups = FleetWakeups()
        let gap = await wakeups.withTimer(every: .seconds(30)) { (w: inout FleetWakeups.Waiter) -> Duration in
            wakeups.wake()
            await w.next(spacing: .milliseconds(400))
            let first = ContinuousClock.now
            wakeups.wake()
            await w.next(spacing: .milliseconds(400))
            return ContinuousClock.now - first
        }
        #expect(gap >= .milliseconds(400) && gap < .seconds(10), "\(gap)")
    }

    /// A wake-up asked for after a delay comes then; asking again replaces it (the leader asks
    /// at each wait for the commit then due).
    @Test(.timeLimit(.minutes(1))) func aWakeUpAfterADelayComesThenAndAskingAgainReplacesIt() async {
        let wakeups = FleetWakeups()
        let (first, second) = await wakeups.withTimer(every: .seconds(30)) { (w: inout FleetWakeups.Waiter) -> (Duration, Duration) in
            var t0 = ContinuousClock.now
            wakeups.wake(after: .milliseconds(300))
            await w.next()
            let first = ContinuousClock.now - t0
            t0 = ContinuousClock.now
            wakeups.wake(after: .milliseconds(100))
            wakeups.wake(after: .milliseconds(1500))
            await w.next()
            return (first, ContinuousClock.now - t0)
        }
        #expect(first >= .milliseconds(300) && first < .seconds(5), "\(first)")
        #expect(second >= .milliseconds(1500) && second < .seconds(10), "the 100 ms one was replaced: \(second)")
    }

    /// The leader's connection listens; an agent's shipping with summaries wakes it at once —
    /// not at the leader's next poll (the timer here is 30 s).
    @Test(.timeLimit(.minutes(1))) func shippingSummariesWakesTheListeningLeader() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("notify") else { return }
        let logger = FleetDatabaseTests.logger
        let leader = try await FleetDatabase.connect(url, logger: logger)
        let agent = try await FleetDatabase.connect(url, logger: logger)
        let wakeups = FleetWakeups()
        let row = ConflictStore.FleetOutboxRow(seq: 1, summary: FleetLeaderTests.summary(agent: 1, start: 1_780_000_000_000_000, count: 20))
        let waited = try await leader.wakingOnShippedSummaries(wakeups) { () async throws(FleetError) -> Duration in
            try await wakeups.withTimer(every: .seconds(30)) { (w: inout FleetWakeups.Waiter) async throws(FleetError) -> Duration in
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
