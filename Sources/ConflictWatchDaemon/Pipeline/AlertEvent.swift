import ConflictWatchCore
import Foundation

/// An alert that opened or closed, as committed to the store: what webhooks are told.
public struct AlertEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case opened, closed }

    public var kind: Kind
    public var alert: Alert

    public init(kind: Kind, alert: Alert) {
        self.kind = kind
        self.alert = alert
    }

    /// The webhook body: the alert exactly as `alerts --format json` prints it (SPEC §6), with
    /// `"event": "opened"|"closed"` added, so a receiver can reuse one alert decoder.
    public func jsonBody() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(Body(event: self)))
    }

    private struct Body: Encodable {
        let event: AlertEvent
        enum Keys: String, CodingKey { case event }

        func encode(to encoder: any Encoder) throws {
            try event.alert.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(event.kind.rawValue, forKey: .event)
        }
    }
}
