import Synchronization

/// What a running daemon publishes for `/metrics` and `/healthz`: the pipeline replaces its part
/// after each flush (a few times a second, never per line), the webhook sender its own, and the
/// server reads a copy per request. One lock, taken rarely, so no reader can slow the ingest.
public final class LiveStatus: Sendable {
    public struct Snapshot: Sendable, Equatable {
        /// Lines read from every source, including malformed and blank ones.
        public var lines: UInt64 = 0
        public var exchanges: UInt64 = 0
        public var malformed: UInt64 = 0
        public var writes: UInt64 = 0
        /// Responses with a conflict status (the model's `conflict_statuses`: 409, 412, 423).
        public var conflicts: UInt64 = 0
        public var openAlerts = 0
        /// Packets the kernel or interface dropped (capture sources); 0 for files.
        public var drops: UInt64 = 0
        /// Seconds the oldest read but not yet committed line has waited; 0 when caught up.
        public var lagSeconds = 0.0
        /// Bytes appended to followed files and not read yet.
        public var unreadBytes: UInt64 = 0
        public var followedFiles = 0
        /// Webhook deliveries a receiver accepted (2xx), since the daemon started.
        public var webhooksSent: UInt64 = 0
        /// Webhook deliveries given up (after their retries, or at once on a 4xx), since start.
        public var webhooksFailed: UInt64 = 0
        /// Webhook deliveries dropped unsent because their receiver's outbox was full, since start.
        public var webhooksDropped: UInt64 = 0
        /// Rows in the store's webhook outbox waiting to be sent or retried.
        public var webhooksPending = 0
        /// Given-up rows kept in the store (`conflictwatch webhooks failed` lists them).
        public var webhooksGivenUp = 0
        /// Wall-clock seconds since the epoch of the last commit to the store; nil before the first.
        public var lastCommit: Double? = nil
        /// Wall-clock seconds since the epoch when the daemon started.
        public var started = 0.0

        public init() {}
    }

    private let state: Mutex<Snapshot>

    public init(_ initial: Snapshot = Snapshot()) {
        state = Mutex(initial)
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
