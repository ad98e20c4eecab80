import Foundation

/// A transition of an alert's life (opened, escalated, closed, reopened) with the alert as
/// committed to the store: what webhooks are told.
public struct AlertEvent: Sendable, Equatable {
    public typealias Kind = AlertTransition.Kind

    public var kind: Kind
    public var alert: Alert
    /// Stable across runs and restarts (`AlertTransition.eventID`): receivers de-duplicate on it.
    public var eventID: String

    public init(kind: Kind, alert: Alert, eventID: String? = nil) {
        self.kind = kind
        self.alert = alert
        self.eventID = eventID ?? "\(alert.id)/\(kind.rawValue)"
    }

    /// The webhook body: the alert exactly as `alerts --format json` prints it (SPEC §6), with
    /// `"event"` (opened, escalated, closed, reopened) and `"event_id"` added, so a receiver can
    /// reuse one alert decoder.
    public func jsonBody() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(Body(event: self)))
    }

    private struct Body: Encodable {
        let event: AlertEvent
        enum Keys: String, CodingKey {
            case event
            case eventID = "event_id"
        }

        func encode(to encoder: any Encoder) throws {
            try event.alert.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(event.kind.rawValue, forKey: .event)
            try c.encode(event.eventID, forKey: .eventID)
        }
    }
}
