/// The webhook outbox as the sender and `conflictwatch webhooks` see it (SPEC §8): one daemon's
/// embedded store (`ConflictStore`, below), or the fleet's PostgreSQL for the fleet's alert
/// events. The rows are written with the alert change by whoever commits it; these are the
/// reads and marks after that.
public protocol WebhookQueue: Sendable {
    /// Pending rows to `receiver` that may be tried at `now` (µs), never-tried first, an alert's
    /// rows one at a time and in order; `busy` rows (attempts in flight) left out.
    func dueWebhookDeliveries(receiver: String, now: Int64, excluding busy: Set<Int64>, limit: Int) async throws -> [WebhookDelivery]
    /// Every pending row due at `now` (a start tries what is owed at once); returns the rows pending.
    func resetWebhookBackoff(now: Int64) async throws -> Int
    /// The receiver answered 2xx: the row goes.
    func webhookDelivered(id: Int64) async throws
    func webhookFailed(id: Int64, attempts: Int, nextAttempt: Int64, error: String) async throws
    func webhookGivenUp(id: Int64, attempts: Int, reason: String) async throws
    /// Pending rows for receivers not in `receivers` are given up; returns how many.
    func giveUpWebhooks(notTo receivers: [String], reason: String) async throws -> Int
    /// Given-up rows back to pending, due at `now`: all, or those of `eventIDs`.
    func retryGivenUpWebhooks(eventIDs: [String]?, now: Int64) async throws -> Int
    /// Rows in `state`, oldest first.
    func webhookDeliveries(state: WebhookDelivery.State, limit: Int?) async throws -> [WebhookDelivery]
    func webhookCounts() async throws -> (pending: Int, givenUp: Int)
}

/// Its synchronous statements are the witnesses (the sender calls them from its own task).
extension ConflictStore: WebhookQueue {}
