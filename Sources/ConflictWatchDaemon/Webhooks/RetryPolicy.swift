import Foundation

/// When a failed webhook delivery is tried again: exponential back-off from `initialDelay`,
/// doubled per attempt up to `maximumDelay`, for at most `maximumAttempts` tries (about two
/// minutes with the defaults, enough to ride out a receiver's restart or deploy). A receiver's
/// `Retry-After` is honoured within the same cap.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay = 1.0
    public var maximumDelay = 60.0
    public var maximumAttempts = 8
    /// One attempt's limit, from connecting to the end of the response.
    public var requestTimeout = 10.0

    public init() {}

    public enum Verdict: Equatable, Sendable {
        case delivered
        /// Worth trying again: the receiver is down, overloaded or timed out.
        case retry
        /// Trying again cannot help (a 4xx such as 404 or 401): the configuration is wrong.
        case permanentFailure
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
        guard attempt < maximumAttempts else { return nil }
        let backoff = min(maximumDelay, initialDelay * Double(1 << min(attempt - 1, 30)))
        guard let retryAfter, retryAfter >= 0 else { return backoff }
        return min(maximumDelay, max(backoff, retryAfter))
    }

    /// `Retry-After` in its delta-seconds form; the HTTP-date form falls back to the back-off.
    public static func retryAfterSeconds(_ value: String?) -> Double? {
        guard let value, let n = Int(value.trimmingCharacters(in: .whitespaces)), n >= 0 else { return nil }
        return Double(n)
    }
}
