import AsyncHTTPClient
import ConflictWatchServer
import Logging
import ServiceLifecycle

/// POSTs each opened/closed alert to the configured receivers (SPEC §8), in order per receiver,
/// retrying with back-off while the receiver is unreachable or answers 5xx/429. It runs until the
/// pipeline finishes the outbox (at shutdown, after the last flush); once shutdown has begun a
/// failed delivery is not retried and an attempt gets at most a second, so stopping stays
/// within SPEC's 5 s.
public struct WebhookSender: Service {
    let outbox: WebhookOutbox
    let policy: RetryPolicy
    let status: LiveStatus
    let logger: Logger

    public init(outbox: WebhookOutbox, policy: RetryPolicy = RetryPolicy(), status: LiveStatus, logger: Logger) {
        self.outbox = outbox
        self.policy = policy
        self.status = status
        self.logger = logger
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        // The retry policy decides when to try again; the client's own retrying of a refused
        // connection would hold each attempt for its whole timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            await withDiscardingTaskGroup { group in
                for (target, stream) in zip(outbox.targets, outbox.streams) {
                    group.addTask {
                        for await event in stream {
                            let delivered = await deliver(event, to: target, client: client)
                            status.update {
                                $0.webhooksPending -= 1
                                if delivered { $0.webhooksSent += 1 } else { $0.webhooksFailed += 1 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// One event to one receiver, with retries. True when the receiver accepted it.
    func deliver(_ event: AlertEvent, to target: WebhookTarget, client: HTTPClient) async -> Bool {
        let body: [UInt8]
        do {
            body = try event.jsonBody()
        } catch {
            logger.error("webhook body not encodable", metadata: ["alert": "\(event.alert.id)", "error": "\(error)"])
            return false
        }
        var metadata: Logger.Metadata = ["url": "\(target.url)", "alert": "\(event.alert.id)", "event": "\(event.kind.rawValue)"]
        var attempt = 0
        while true {
            attempt += 1
            let timeout = Task.isShuttingDownGracefully ? min(1, policy.requestTimeout) : policy.requestTimeout
            let (verdict, retryAfter, detail) = await post(body, event: event, to: target, client: client, timeout: timeout)
            metadata["attempt"] = "\(attempt)"
            metadata["result"] = "\(detail)"
            metadata["retry_in_s"] = nil
            switch verdict {
            case .delivered:
                logger.debug("webhook delivered", metadata: metadata)
                return true
            case .permanentFailure:
                logger.error("webhook rejected; check the URL and the receiver (not retried)", metadata: metadata)
                return false
            case .retry:
                guard !Task.isShuttingDownGracefully, !Task.isCancelled,
                      let wait = policy.delay(afterAttempt: attempt, retryAfter: retryAfter) else {
                    logger.warning("webhook not delivered; giving up", metadata: metadata)
                    return false
                }
                metadata["retry_in_s"] = "\(wait)"
                logger.notice("webhook delivery failed; retrying", metadata: metadata)
                // A shutdown during the wait ends it at once; the check above then gives up.
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
                }
            }
        }
    }

    func post(_ body: [UInt8], event: AlertEvent, to target: WebhookTarget, client: HTTPClient,
              timeout: Double) async -> (RetryPolicy.Verdict, Double?, String) {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "conflictwatch")
        request.headers.add(name: "X-Conflictwatch-Event", value: event.kind.rawValue)
        request.headers.add(name: "X-Conflictwatch-Alert", value: event.alert.id)
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            // Read (and bound) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 1 << 16)
            let code = Int(response.status.code)
            return (RetryPolicy.verdict(status: code), RetryPolicy.retryAfterSeconds(response.headers.first(name: "Retry-After")), "HTTP \(code)")
        } catch {
            return (.retry, nil, "\(error)")
        }
    }
}
