import Synchronization

/// "Look again": said by whoever has something new (a commit with a fleet summary or with
/// webhook events, a notification from PostgreSQL) and by a timer as the fallback. Buffered to
/// one, since a wake-up means only that there may be something to do; one waiter. The fleet's
/// shipper and leader and the webhook sender each wait on one.
///
/// The shipper and the leader used to sleep a fixed poll interval whenever a look found
/// nothing, so each summary waited up to one interval to be shipped and another to be
/// accounted (with the leader's commit rule, a small append on every agent of the fleet bench
/// reached the fleet's results after 0.8–1.6 s; woken, and with the rule of
/// `FleetCommitPacer`, after 0.30–0.51 s).
public final class Wakeups: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// The wake-up asked for at a set time (`wake(after:)`), until it fires or is replaced.
    private let alarm = Mutex<Task<Void, Never>?>(nil)

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func wake() {
        continuation.yield()
    }

    /// Wakes after `delay` as well (a commit coming due), replacing an earlier such request.
    public func wake(after delay: Duration) {
        let task = Task { [continuation] in
            do {
                try await Task.sleep(for: delay)
                continuation.yield()
            } catch {}
        }
        alarm.withLock { $0?.cancel(); $0 = task }
    }

    /// How `withTimer`'s body waits.
    public struct Waiter {
        fileprivate var iterator: AsyncStream<Void>.Iterator
        private var lastReturn: ContinuousClock.Instant?

        fileprivate init(iterator: AsyncStream<Void>.Iterator) {
            self.iterator = iterator
        }

        /// Returns at the next wake-up, or at once if one came since the last wait; but not
        /// sooner than `spacing` after the last return, so wake-ups that come thick (a
        /// notification per agent's commit) cost one look per `spacing` at most. Returns at
        /// once when the task is cancelled.
        public mutating func next(spacing: Duration = .zero) async {
            _ = await iterator.next()
            if let last = lastReturn, spacing > .zero, ContinuousClock.now < last + spacing {
                try? await Task.sleep(until: last + spacing)
            }
            lastReturn = .now
        }
    }

    /// Runs `body` while a timer wakes every `interval` as well, so a wake-up that nobody says
    /// (another process's work, a lost notification, a retry coming due) costs one interval at
    /// most.
    public func withTimer<T, E: Error>(every interval: Duration, _ body: (inout Waiter) async throws(E) -> T) async throws(E) -> T {
        try await withBackgroundTask({ [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                wake()
            }
        }) { () async throws(E) -> T in
            defer { alarm.withLock { $0?.cancel(); $0 = nil } }
            var waiter = Waiter(iterator: stream.makeAsyncIterator())
            return try await body(&waiter)
        }
    }
}
