import Testing
@testable import ConflictWatchDaemon

/// The sender's log of an unreadable outbox: the first failure, a reminder per interval while it
/// lasts, the recovery once.
@Suite struct OutboxReadHealthTests {
    @Test func oneLineAnOutageThenAReminderThenTheRecovery() {
        var h = OutboxReadHealth(remindEvery: .seconds(60))
        let t0 = ContinuousClock.now
        #expect(h.succeeded(at: t0) == .none, "nothing to recover from")
        #expect(h.failed(at: t0) == .logFailure(failures: 1))
        for k in 1...200 {
            #expect(h.failed(at: t0 + .milliseconds(250 * k)) == .none, "look \(k) within the minute")
        }
        #expect(h.failed(at: t0 + .seconds(60)) == .logFailure(failures: 202), "the reminder, with the count")
        #expect(h.failed(at: t0 + .seconds(61)) == .none)
        #expect(h.succeeded(at: t0 + .seconds(70)) == .logRecovery(failures: 203, duration: .seconds(70)))
        #expect(h.succeeded(at: t0 + .seconds(71)) == .none, "the recovery is told once")
        #expect(h.failed(at: t0 + .seconds(72)) == .logFailure(failures: 1), "a new outage is new")
    }
}
