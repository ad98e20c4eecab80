import Foundation

/// When a failed webhook delivery is tried again, and when it is given up (SPEC §8).
/// Back-off is exponential from `initialDelay`, doubled per attempt up to `maximumDelay`; a
/// receiver's `Retry-After` is honoured within the same cap. Delivery is given up once the event
/// is older than `giveUpAfter` (a day: a receiver down for an hour, or over a night, still gets
/// everything), after `maximumAttempts` if set, or at once when the receiver's answer says
/// trying again cannot help (4xx).
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay = 1.0
    public var maximumDelay = 300.0
    /// Seconds from the event's commit after which it is given up.
    public var giveUpAfter = 86_400.0
    /// Attempts after which an event is given up whatever its age; nil: age only.
    public var maximumAttempts: Int? = nil
    /// One attempt's limit, from connecting to the response's head: what a hanging receiver
    /// costs one delivery slot.
    public var requestTimeout = 10.0
    /// Attempts in flight per receiver: a hanging request holds one slot, not the receiver.
    public var concurrency = 4

    public init() {}

    public enum Verdict: Equatable, Sendable {
        case delivered
        /// Worth trying again: the receiver is down, overloaded or timed out.
        case retry
        /// Trying again cannot help (a 4xx such as 404 or 401): the configuration is wrong.
        case permanentFailure
    }

    /// What to do with a delivery after an attempt.
    public enum Decision: Equatable, Sendable {
        case delete
        case retry(afterSeconds: Double)
        case giveUp
    }

    public static func verdict(status: Int) -> Verdict {
        switch status {
        case 200..<300: .delivered
        case 408, 425, 429, 500..<600: .retry
        default: .permanentFailure
        }
    }

    /// Seconds to wait after failed attempt number `attempt` (1-based); nil when no attempt is left.
    public func delay(afterAttempt attempt: Int, retryAfter: Double? = nil) -> Double? {
        if let maximumAttempts, attempt >= maximumAttempts { return nil }
        let backoff = min(maximumDelay, initialDelay * Double(1 << min(max(attempt - 1, 0), 30)))
        guard let retryAfter, retryAfter >= 0 else { return backoff }
        return min(maximumDelay, max(backoff, retryAfter))
    }

    /// After attempt number `attempt` with `verdict`, the event being `age` seconds old.
    public func decide(_ verdict: Verdict, attempt: Int, age: Double, retryAfter: Double? = nil) -> Decision {
        switch verdict {
        case .delivered: return .delete
        case .permanentFailure: return .giveUp
        case .retry:
            guard let wait = delay(afterAttempt: attempt, retryAfter: retryAfter), age + wait <= giveUpAfter else { return .giveUp }
            return .retry(afterSeconds: wait)
        }
    }

    /// `Retry-After` in its delta-seconds form; the HTTP-date form falls back to the back-off.
    public static func retryAfterSeconds(_ value: String?) -> Double? {
        guard let value, let n = Int(value.trimmingCharacters(in: .whitespaces)), n >= 0 else { return nil }
        return Double(n)
    }
}
