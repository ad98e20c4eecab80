import ConflictWatchCore
import Testing

/// Wake-ups: what the fleet's shipper and leader and the webhook sender wait on, and the timer
/// behind them.
@Suite struct WakeupsTests {
    /// Wake-ups said while nobody waits are kept as one: the next wait returns at once, the one
    /// after waits for the timer.
    @Test(.timeLimit(.minutes(1))) func wakeUpsAreBufferedToOne() async {
        let wakeups = Wakeups()
        wakeups.wake()
        wakeups.wake()
        wakeups.wake()
        let clock = ContinuousClock()
        let (first, second) = await wakeups.withTimer(every: .milliseconds(400)) { (w: inout Wakeups.Waiter) -> (Duration, Duration) in
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
        let wakeups = Wakeups()
        let gap = await wakeups.withTimer(every: .seconds(30)) { (w: inout Wakeups.Waiter) -> Duration in
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
        let wakeups = Wakeups()
        let (first, second) = await wakeups.withTimer(every: .seconds(30)) { (w: inout Wakeups.Waiter) -> (Duration, Duration) in
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

    /// The background task serves the body while it runs and is cancelled when it returns; the
    /// body's error comes out as its own type.
    @Test(.timeLimit(.minutes(1))) func theBackgroundTaskEndsWithTheBodyAndTheErrorKeepsItsType() async {
        struct Failed: Error, Equatable {}
        let wakeups = Wakeups()
        let result: Result<Int, Failed>
        do throws(Failed) {
            result = .success(try await withBackgroundTask({
                while !Task.isCancelled {
                    wakeups.wake()
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }) { () async throws(Failed) -> Int in
                throw Failed()
            })
        } catch {
            result = .failure(error)
        }
        #expect(result == .failure(Failed()))
        let served = await withBackgroundTask({ wakeups.wake() }) { () async -> Bool in
            try? await Task.sleep(for: .milliseconds(50))
            return true
        }
        #expect(served)
    }
}
