import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Testing
@testable import ConflictWatchDaemon
@testable import ConflictWatchFleet

@Suite struct FleetShippingWakeTests {
    /// A commit with a fleet summary wakes the agent's shipper at once. The shipper used to find
    /// it at its next look, up to half a second later; the timer here is 30 s.
    @Test(.timeLimit(.minutes(1))) func aCommitWithASummaryWakesTheShipper() async throws {
        let helper = IdleClockTests()
        let backlog = FleetBacklog()
        try helper.withDirectory { dir in
            try Data(IdleClockTests.traffic(end: 1_795_514_459_000_000).utf8).write(to: URL(fileURLWithPath: dir + "/access.log"))
            let store = try ConflictStore(directory: dir, mode: .writer, logger: helper.logger)
            let agent = IngestPipeline(settings: try helper.settings(dir, fleet: true), store: store, logger: helper.logger, fleetBacklog: backlog)
            try agent.start(now: 0)
            while agent.step(now: 0.001) > 0 {}
            try agent.flush(now: 0.002)
            #expect(try store.fleetOutbox(limit: 10).count == 1)
        }
        let waited = await backlog.wakeups.withTimer(every: .seconds(30)) { (w: inout Wakeups.Waiter) -> Duration in
            let start = ContinuousClock.now
            await w.next()
            return ContinuousClock.now - start
        }
        #expect(waited < .seconds(5), "woken after \(waited)")
    }
}
