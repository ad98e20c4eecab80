import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Logging

/// The pipeline's side of the durable webhook outbox (SPEC §8): turns a flush's alert events
/// into outbox rows for the same store transaction (one per receiver that wants the event), and
/// after the commit wakes the sender. The rows, not this object, are the queue: a kill -9
/// between the commit and the POST loses nothing, the next start sends them.
public final class WebhookOutbox: Sendable {
    let targets: [WebhookTarget]
    /// Pending rows kept per receiver before the oldest are dropped.
    let capacity: Int
    /// Said after each commit with events, after each attempt and by the sender's own timer: a
    /// wake-up means only "look at the store".
    let wakeups = Wakeups()
    private let status: LiveStatus
    private let logger: Logger

    public init(targets: [WebhookTarget], capacity: Int = WebhookDelivery.defaultCapacity, status: LiveStatus, logger: Logger) {
        self.targets = targets
        self.capacity = capacity
        self.status = status
        self.logger = logger
    }

    /// The outbox rows for `events`, committed at `now` (wall-clock µs).
    func deliveries(for events: [AlertEvent], now: Int64) -> [WebhookDelivery] {
        let (rows, unencodable) = WebhookDelivery.rows(for: events, targets: targets, now: now)
        for (alert, error) in unencodable {
            logger.error("webhook body not encodable", metadata: ["alert": "\(alert)", "error": "\(error)"])
        }
        return rows
    }

    /// Called once the rows are committed.
    func committed(_ summary: CommitSummary, deliveries: Int) {
        if summary.webhooksDropped > 0 {
            status.update { $0.webhooksDropped += UInt64(summary.webhooksDropped) }
            logger.warning("webhook outbox full; oldest events dropped", metadata: [
                "dropped": "\(summary.webhooksDropped)", "capacity": "\(capacity)"])
        }
        if deliveries > 0 { wakeSender() }
    }

    func wakeSender() {
        wakeups.wake()
    }

    /// The pipeline has stopped: one last look at the store, for what its final flush committed.
    func finish() {
        wakeups.wake()
    }
}
