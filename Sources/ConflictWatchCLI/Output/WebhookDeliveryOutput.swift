import ArgumentParser
import ConflictWatchStore

/// One outbox row as `webhooks failed|pending --format json` prints it (the body is left out:
/// `alerts show ALERT_ID` has the alert).
struct WebhookDeliveryOutput: Encodable {
    let eventID: String
    let alertID: String
    let event: String
    let receiver: String
    let attempts: Int
    let created: String
    let lastError: String?

    init(_ row: WebhookDelivery) {
        eventID = row.eventID
        alertID = row.alertID
        event = row.kind
        receiver = row.receiver
        attempts = row.attempts
        created = row.created
        lastError = row.lastError
    }

    enum CodingKeys: String, CodingKey {
        case event, receiver, attempts, created
        case eventID = "event_id"
        case alertID = "alert_id"
        case lastError = "last_error"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(eventID, forKey: .eventID)
        try c.encode(alertID, forKey: .alertID)
        try c.encode(event, forKey: .event)
        try c.encode(receiver, forKey: .receiver)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(created, forKey: .created)
        // Present as null rather than missing, like the alert JSON's optional fields.
        try c.encode(lastError, forKey: .lastError)
    }
}

extension WebhookDeliveryOutput {
    static func render(_ rows: [WebhookDelivery], format: WebhooksFormat, none: String) throws -> String {
        switch format {
        case .json: return try QueryOutput.json(rows.map(WebhookDeliveryOutput.init))
        case .table:
            guard !rows.isEmpty else { return none }
            var table = TableRenderer([("event_id", .left), ("receiver", .left), ("attempts", .right), ("created", .left), ("last_error", .left)])
            for r in rows { table.add([r.eventID, r.receiver, "\(r.attempts)", TableTime.utc(r.created), r.lastError ?? ""]) }
            return table.render()
        }
    }
}
