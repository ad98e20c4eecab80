import ConflictWatchServer
import Logging
import Synchronization

/// Where the pipeline leaves committed alert events for the webhook sender: one bounded queue per
/// receiver, so a receiver that is down (and being retried) never delays another one, and never
/// the pipeline — a full queue drops the newest events and counts them as failed.
public final class WebhookOutbox: Sendable {
    /// Events waiting per receiver before new ones are dropped.
    public static let capacity = 10_000

    let targets: [WebhookTarget]
    let streams: [AsyncStream<AlertEvent>]
    private let continuations: [AsyncStream<AlertEvent>.Continuation]
    private let status: LiveStatus
    private let logger: Logger
    private let droppedSinceLog = Mutex<Int>(0)

    public init(targets: [WebhookTarget], status: LiveStatus, logger: Logger) {
        self.targets = targets
        self.status = status
        self.logger = logger
        var streams: [AsyncStream<AlertEvent>] = []
        var continuations: [AsyncStream<AlertEvent>.Continuation] = []
        for _ in targets {
            let (stream, continuation) = AsyncStream.makeStream(of: AlertEvent.self, bufferingPolicy: .bufferingOldest(Self.capacity))
            streams.append(stream)
            continuations.append(continuation)
        }
        self.streams = streams
        self.continuations = continuations
    }

    /// Called by the pipeline after the events' alerts are committed (a few times a second at most).
    func send(_ events: [AlertEvent]) {
        guard !events.isEmpty else { return }
        var queued = 0, dropped = 0
        for (target, continuation) in zip(targets, continuations) {
            for event in events where target.wants(event) {
                if case .enqueued = continuation.yield(event) { queued += 1 } else { dropped += 1 }
            }
        }
        status.update {
            $0.webhooksPending += queued
            $0.webhooksFailed += UInt64(dropped)
        }
        if dropped > 0 {
            logger.warning("webhook queue full; events dropped", metadata: ["dropped": "\(dropped)", "capacity": "\(Self.capacity)"])
        }
    }

    /// No more events: the sender delivers what is queued and returns.
    func finish() {
        for c in continuations { c.finish() }
    }
}
