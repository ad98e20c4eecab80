import ConflictWatchCore
import GRDB

/// One alert event owed to one receiver (SPEC §8): the webhook outbox row. Written in the same
/// transaction as the alert change it reports, deleted once the receiver answered 2xx, kept as
/// `givenUp` when delivery was abandoned (for `conflictwatch webhooks failed` and retention).
/// The body is frozen when the event happens: the alert row changes later (it closes), the
/// event does not.
public struct WebhookDelivery: Codable, FetchableRecord, MutablePersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "webhook_delivery"

    /// Rows waiting per receiver before the oldest are dropped (a receiver down for days must not
    /// grow the store without bound); given-up rows are kept up to the same number.
    public static let defaultCapacity = 10_000

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case pending
        case givenUp = "given_up"
    }

    /// Insertion order; nil before the row is stored.
    public var id: Int64?
    /// The receiver's URL, as configured.
    public var receiver: String
    /// `<alert id>/<seq>-<kind>`: sent in the body and the `X-Conflictwatch-Event-Id` header.
    public var eventID: String
    public var alertID: String
    public var kind: String
    /// The JSON POSTed: the alert as committed with the event, plus `event` and `event_id`.
    public var body: String
    /// Wall-clock time the event was committed, RFC 3339; the give-up age counts from it.
    public var created: String
    public var attempts: Int
    /// Wall-clock µs before which the row is not tried (back-off).
    public var nextAttempt: Int64
    public var state: State
    /// The last failure (HTTP status or transport error), or why it was given up.
    public var lastError: String?

    public init(receiver: String, eventID: String, alertID: String, kind: String, body: String, created: String, nextAttempt: Int64) {
        self.receiver = receiver
        self.eventID = eventID
        self.alertID = alertID
        self.kind = kind
        self.body = body
        self.created = created
        attempts = 0
        self.nextAttempt = nextAttempt
        state = .pending
    }

    enum CodingKeys: String, CodingKey {
        case id, receiver, kind, body, created, attempts, state
        case eventID = "event_id"
        case alertID = "alert_id"
        case nextAttempt = "next_attempt"
        case lastError = "last_error"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension WebhookDelivery {
    /// The outbox rows of `events` committed at `now` (wall-clock µs): one per receiver in
    /// `targets` that wants the event, in event order (an alert's rows are sent in id order).
    /// The same for one daemon's store and the fleet's. Events whose body cannot be encoded are
    /// left out and returned, for the caller to log.
    public static func rows(for events: [AlertEvent], targets: [WebhookTarget], now: Int64) -> (rows: [WebhookDelivery], unencodable: [(alertID: String, error: any Error)]) {
        var rows: [WebhookDelivery] = []
        var failed: [(alertID: String, error: any Error)] = []
        let created = CivilTime.rfc3339(now)
        for event in events {
            let wanting = targets.filter { $0.wants(event) }
            guard !wanting.isEmpty else { continue }
            let body: String
            do {
                body = String(decoding: try event.jsonBody(), as: UTF8.self)
            } catch {
                failed.append((event.alert.id, error))
                continue
            }
            for target in wanting {
                rows.append(WebhookDelivery(receiver: target.url, eventID: event.eventID, alertID: event.alert.id,
                                            kind: event.kind.rawValue, body: body, created: created, nextAttempt: now))
            }
        }
        return (rows, failed)
    }
}
