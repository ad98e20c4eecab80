/// Whether the webhook outbox can be read, as the sender's log tells it. The sender looks at
/// the outbox at every wake-up (four a second, and per receiver); while the store is
/// unreachable — the fleet's PostgreSQL restarting, a disk gone read-only — one error line per
/// look would bury everything else. So: one error when reading starts failing, a reminder every
/// `remindEvery` while it goes on (with the count), one notice when it works again.
struct OutboxReadHealth {
    enum Action: Equatable {
        case none
        /// Log the failure; `failures` so far in this outage (1 the first time).
        case logFailure(failures: Int)
        /// Reading works again after `failures` failed reads over `duration`.
        case logRecovery(failures: Int, duration: Duration)
    }

    let remindEvery: Duration
    private var failingSince: ContinuousClock.Instant? = nil
    private var lastLogged: ContinuousClock.Instant? = nil
    private var failures = 0

    init(remindEvery: Duration = .seconds(60)) {
        self.remindEvery = remindEvery
    }

    mutating func failed(at now: ContinuousClock.Instant) -> Action {
        failures += 1
        if failingSince == nil { failingSince = now }
        if let last = lastLogged, now - last < remindEvery { return .none }
        lastLogged = now
        return .logFailure(failures: failures)
    }

    mutating func succeeded(at now: ContinuousClock.Instant) -> Action {
        guard let since = failingSince else { return .none }
        let action = Action.logRecovery(failures: failures, duration: now - since)
        failingSince = nil
        lastLogged = nil
        failures = 0
        return action
    }
}
