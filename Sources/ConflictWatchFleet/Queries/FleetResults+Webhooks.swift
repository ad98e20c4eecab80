import ConflictWatchStore

/// The fleet's webhook outbox, for the sender of the agent holding the aggregator role and for
/// `webhooks pending|failed|retry --database-url`; on the instance's own connection, made again
/// after a failure as for the reads.
extension FleetResults: WebhookQueue {
    public func dueWebhookDeliveries(receiver: String, now: Int64, excluding busy: Set<Int64>, limit: Int) async throws -> [WebhookDelivery] {
        try await read { db throws(FleetError) in try await db.dueWebhookDeliveries(receiver: receiver, now: now, excluding: busy, limit: limit) }
    }

    public func resetWebhookBackoff(now: Int64) async throws -> Int {
        try await read { db throws(FleetError) in try await db.resetWebhookBackoff(now: now) }
    }

    public func webhookDelivered(id: Int64) async throws {
        try await read { db throws(FleetError) in try await db.webhookDelivered(id: id) }
    }

    public func webhookFailed(id: Int64, attempts: Int, nextAttempt: Int64, error: String) async throws {
        try await read { db throws(FleetError) in try await db.webhookFailed(id: id, attempts: attempts, nextAttempt: nextAttempt, error: error) }
    }

    public func webhookGivenUp(id: Int64, attempts: Int, reason: String) async throws {
        try await read { db throws(FleetError) in try await db.webhookGivenUp(id: id, attempts: attempts, reason: reason) }
    }

    public func giveUpWebhooks(notTo receivers: [String], reason: String) async throws -> Int {
        try await read { db throws(FleetError) in try await db.giveUpWebhooks(notTo: receivers, reason: reason) }
    }

    public func retryGivenUpWebhooks(eventIDs: [String]?, now: Int64) async throws -> Int {
        try await read { db throws(FleetError) in try await db.retryGivenUpWebhooks(eventIDs: eventIDs, now: now) }
    }

    public func webhookDeliveries(state: WebhookDelivery.State, limit: Int?) async throws -> [WebhookDelivery] {
        try await read { db throws(FleetError) in try await db.webhookDeliveries(state: state, limit: limit) }
    }

    public func webhookCounts() async throws -> (pending: Int, givenUp: Int) {
        try await read { db throws(FleetError) in try await db.webhookCounts() }
    }
}
