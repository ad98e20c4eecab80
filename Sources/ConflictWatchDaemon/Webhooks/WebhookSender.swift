import AsyncHTTPClient
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Delivers the webhook outbox (SPEC §8): reads due deliveries, POSTs each with a per-attempt
/// timeout, and deletes a row only after a 2xx; a failure is rescheduled with back-off or, per
/// the `RetryPolicy`, given up (kept for `conflictwatch webhooks failed`). Per receiver at most
/// `policy.concurrency` attempts are in flight and never-tried events go before retries, so a
/// hanging receiver or a poisoned event costs a new event at most one attempt's timeout; an
/// alert's events still go in order, one at a time.
///
/// The outbox is one daemon's store, or on a fleet the fleet's PostgreSQL (SPEC §7), which only
/// the agent holding the aggregator role sends from (`active`): the one that writes the rows,
/// so one sender per fleet and no receiver hears an event twice from two agents. When the role
/// moves the new holder starts as a daemon does: what is owed is tried at once.
///
/// At graceful shutdown (after the pipeline's last flush, the group stops services in reverse
/// order) it starts nothing new, gives attempts in flight a second, then cancels them: their
/// rows stay pending and the next start sends them (at least once, `event_id` for de-duplication).
public struct WebhookSender: Service {
    let outbox: WebhookOutbox
    let queue: any WebhookQueue
    let policy: RetryPolicy
    let status: LiveStatus
    let logger: Logger
    /// Whether this process sends now (on a fleet: while it holds the aggregator role).
    let active: @Sendable () -> Bool
    /// How often the store is looked at for retries coming due when nothing else wakes the sender.
    var pollInterval: Duration = .milliseconds(250)

    public init(outbox: WebhookOutbox, queue: any WebhookQueue, policy: RetryPolicy = RetryPolicy(), status: LiveStatus, logger: Logger,
                active: @escaping @Sendable () -> Bool = { true }) {
        self.outbox = outbox
        self.queue = queue
        self.policy = policy
        self.status = status
        self.logger = logger
        self.active = active
    }

    public init(outbox: WebhookOutbox, store: ConflictStore, policy: RetryPolicy = RetryPolicy(), status: LiveStatus, logger: Logger) {
        self.init(outbox: outbox, queue: store, policy: policy, status: status, logger: logger)
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        // The retry policy decides when to try again; the client's own retrying of a refused
        // connection would hold each attempt for its whole timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(min(5, max(1, Int64(policy.requestTimeout.rounded(.up)))))
        try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            let inFlight = InFlightDeliveries()
            await outbox.wakeups.withTimer(every: pollInterval) { (waiter: inout Wakeups.Waiter) in
                await withDiscardingTaskGroup { group in
                    var started = false
                    var lastCounts = ContinuousClock.now - .seconds(1)
                    var health = OutboxReadHealth()
                    while true {
                        await waiter.next()
                        if Task.isShuttingDownGracefully || Task.isCancelled { break }
                        guard active() else {
                            started = false
                            continue
                        }
                        if !started {
                            started = await start(&health)
                            if !started { continue }
                        }
                        for (target, delivery) in await due(inFlight, &health) {
                            group.addTask {
                                await attempt(delivery, to: target, client: client)
                                inFlight.remove(delivery)
                                outbox.wakeSender()
                            }
                        }
                        if ContinuousClock.now - lastCounts >= .seconds(1) {
                            lastCounts = .now
                            await publishCounts(&health)
                        }
                    }
                    let deadline = ContinuousClock.now + .seconds(1)
                    while !inFlight.isEmpty, ContinuousClock.now < deadline, !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    group.cancelAll()
                }
            }
        }
        if active() {
            var health = OutboxReadHealth()
            await publishCounts(&health)
        }
    }

    /// What a (re)start does before sending: rows for receivers no longer configured are given
    /// up, what is owed is due at once. False when the outbox cannot be read (tried again at
    /// the next wake-up).
    func start(_ health: inout OutboxReadHealth) async -> Bool {
        do {
            let orphaned = try await queue.giveUpWebhooks(notTo: outbox.targets.map(\.url), reason: "receiver no longer configured")
            if orphaned > 0 {
                logger.warning("webhooks for receivers no longer configured given up", metadata: ["events": "\(orphaned)"])
            }
            let owed = try await queue.resetWebhookBackoff(now: CivilTime.nowMicros())
            if owed > 0 {
                logger.info("webhook deliveries owed from before the start", metadata: ["events": "\(owed)"])
            }
            readSucceeded(&health)
            return true
        } catch {
            readFailed(error, &health)
            return false
        }
    }

    /// Deliveries to start now, up to each receiver's free slots; marked in flight.
    func due(_ inFlight: InFlightDeliveries, _ health: inout OutboxReadHealth) async -> [(WebhookTarget, WebhookDelivery)] {
        let now = CivilTime.nowMicros()
        var start: [(WebhookTarget, WebhookDelivery)] = []
        for target in outbox.targets {
            let busy = inFlight.ids(for: target.url)
            let free = policy.concurrency - busy.count
            guard free > 0 else { continue }
            do {
                for d in try await queue.dueWebhookDeliveries(receiver: target.url, now: now, excluding: busy, limit: free) {
                    inFlight.insert(d)
                    start.append((target, d))
                }
                readSucceeded(&health)
            } catch {
                readFailed(error, &health)
            }
        }
        return start
    }

    /// One attempt, and its outcome recorded in the store.
    func attempt(_ delivery: WebhookDelivery, to target: WebhookTarget, client: HTTPClient) async {
        guard let id = delivery.id else { return }
        let (verdict, retryAfter, detail) = await post(delivery, to: target, client: client)
        // Cancelled at shutdown without an answer: the outcome is unknown, the row stays as it
        // was and is sent again. An answered 2xx is still recorded (one duplicate fewer).
        if Task.isCancelled, verdict != .delivered { return }
        let attempt = delivery.attempts + 1
        let now = CivilTime.nowMicros()
        let age = CivilTime.parseRFC3339(delivery.created).map { Double(now - $0) / 1e6 } ?? 0
        var metadata: Logger.Metadata = ["url": "\(target.url)", "event_id": "\(delivery.eventID)", "attempt": "\(attempt)", "result": "\(detail)"]
        do {
            switch policy.decide(verdict, attempt: attempt, age: age, retryAfter: retryAfter) {
            case .delete:
                try await queue.webhookDelivered(id: id)
                status.update { $0.webhooksSent += 1 }
                logger.debug("webhook delivered", metadata: metadata)
            case .retry(let wait):
                try await queue.webhookFailed(id: id, attempts: attempt, nextAttempt: now + Int64(wait * 1e6), error: detail)
                metadata["retry_in_s"] = "\(wait)"
                logger.notice("webhook delivery failed; retrying", metadata: metadata)
            case .giveUp:
                let reason = verdict == .permanentFailure ? "\(detail) (not retried: check the URL and the receiver)"
                    : "\(detail) (gave up after \(attempt) attempts)"
                try await queue.webhookGivenUp(id: id, attempts: attempt, reason: reason)
                status.update { $0.webhooksFailed += 1 }
                logger.error("webhook given up; listed by `conflictwatch webhooks failed`", metadata: metadata)
            }
        } catch {
            logger.error("cannot record a webhook attempt; it will be sent again", metadata: ["event_id": "\(delivery.eventID)", "error": "\(error)"])
        }
    }

    func post(_ delivery: WebhookDelivery, to target: WebhookTarget, client: HTTPClient) async -> (RetryPolicy.Verdict, Double?, String) {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "conflictwatch")
        request.headers.add(name: "X-Conflictwatch-Event", value: delivery.kind)
        request.headers.add(name: "X-Conflictwatch-Event-Id", value: delivery.eventID)
        request.headers.add(name: "X-Conflictwatch-Alert", value: delivery.alertID)
        request.body = .bytes(Array(delivery.body.utf8))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(policy.requestTimeout * 1000)))
            // Read (and bound) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 16)
            let code = Int(response.status.code)
            return (RetryPolicy.verdict(status: code), RetryPolicy.retryAfterSeconds(response.headers.first(name: "Retry-After")), "HTTP \(code)")
        } catch {
            return (.retry, nil, "\(error)")
        }
    }

    /// The outbox's size for `/metrics`.
    func publishCounts(_ health: inout OutboxReadHealth) async {
        do {
            let counts = try await queue.webhookCounts()
            status.update {
                $0.webhooksPending = counts.pending
                $0.webhooksGivenUp = counts.givenUp
            }
            readSucceeded(&health)
        } catch {
            readFailed(error, &health)
        }
    }

    func readFailed(_ error: any Error, _ health: inout OutboxReadHealth) {
        if case .logFailure(let failures) = health.failed(at: .now) {
            logger.error("cannot read the webhook outbox; still trying, logged again once a minute while it fails",
                         metadata: ["error": "\(error)", "failures": "\(failures)"])
        }
    }

    func readSucceeded(_ health: inout OutboxReadHealth) {
        if case .logRecovery(let failures, let duration) = health.succeeded(at: .now) {
            logger.notice("webhook outbox readable again", metadata: [
                "failures": "\(failures)", "seconds": "\(duration.components.seconds)",
            ])
        }
    }
}
