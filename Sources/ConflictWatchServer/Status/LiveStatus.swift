import ConflictWatchCore
import Synchronization

/// What a running daemon publishes for `/metrics` and `/healthz`: the daemon's `StatusPublisher`
/// replaces the pipeline's part after each flush (a few times a second, never per line), the
/// webhook sender its own, and the server reads a copy per request. One lock, taken rarely, so no reader can slow the ingest.
public final class LiveStatus: Sendable {
    /// The labels of the per-alert series (kind × severity).
    public typealias AlertLabel = ConflictWatchCore.AlertLabel

    /// Writes and conflicts of one route label (a route, or `RouteLabelSet.otherLabel`).
    public struct RouteTotals: Sendable, Equatable {
        public var route: String
        public var writes: UInt64
        public var conflicts: UInt64

        public init(route: String, writes: UInt64, conflicts: UInt64) {
            self.route = route
            self.writes = writes
            self.conflicts = conflicts
        }
    }

    public struct Snapshot: Sendable, Equatable {
        /// Lines read from every source, including malformed and blank ones.
        public var lines: UInt64 = 0
        public var exchanges: UInt64 = 0
        public var malformed: UInt64 = 0
        public var writes: UInt64 = 0
        /// Responses with a conflict status (the model's `conflict_statuses`: 409, 412, 423).
        public var conflicts: UInt64 = 0
        /// Alerts open now and not hidden (silenced); the sum of `openAlertsByLabel`.
        public var openAlerts = 0
        /// The same open alerts by kind and severity (severity as it is now).
        public var openAlertsByLabel: [AlertLabel: Int] = [:]
        /// Alerts opened since the daemon started, by kind and the severity they opened with.
        public var alertsOpened: [AlertLabel: UInt64] = [:]
        /// Responses by raw status code (0: no response) since the start; `/metrics` folds them
        /// into a bounded label set.
        public var statuses: [Int: UInt64] = [:]
        /// The model's conflict statuses: always labelled by their exact code.
        public var conflictStatuses: [Int] = [409, 412, 423]
        /// Writes and conflicts per route, already bounded (`RouteLabelSet`).
        public var routes: [RouteTotals] = []
        /// Packets the kernel or interface dropped (capture sources); 0 for files. The sum of
        /// `kernelDrops` and `interfaceDrops`.
        public var drops: UInt64 = 0
        /// Packets captured by the live interfaces (0 without any).
        public var packets: UInt64 = 0
        /// Packets libpcap reports dropped by the kernel for lack of buffer space.
        public var kernelDrops: UInt64 = 0
        /// Packets libpcap reports dropped by the interface or its driver.
        public var interfaceDrops: UInt64 = 0
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
        /// A fleet agent's shipping and aggregation (SPEC §7); nil when the daemon is not one.
        public var fleet: Fleet? = nil

        public init() {}
    }

    /// A fleet agent as `/metrics` shows it (docs/fleet.md).
    public struct Fleet: Sendable, Equatable {
        /// Whether this agent holds the aggregator role now.
        public var leading = false
        /// Agents holding the fleet's watermark, and agents dropped from it for silence (as the
        /// leader last saw them; 0 on the others).
        public var liveAgents = 0
        public var droppedAgents = 0
        /// Bytes of summaries in the local outbox, not shipped yet.
        public var outboxBytes: Int64 = 0
        /// Summaries and exchanges shipped to PostgreSQL since the daemon started.
        public var shippedSummaries: UInt64 = 0
        public var shippedExchanges: UInt64 = 0
        /// Exchanges this agent's aggregator took through the fleet's model while it led.
        public var accounted: UInt64 = 0
        /// The fleet's traffic-time watermark as the leader last saw it, Unix seconds.
        public var watermark: Double? = nil

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
