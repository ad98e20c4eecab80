/// One event in an alert's life (SPEC §6, §8): what webhooks carry and the store keeps. Made by
/// the model's lifecycle, in traffic time, so a replay gives the same events with the same ids.
public struct AlertTransition: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case opened, escalated, closed, reopened }

    public var kind: Kind
    public var alertID: String
    /// Traffic time of the transition, µs since the epoch.
    public var time: Int64
    /// How many transitions this alert had before (0 for `opened`): with the id it makes
    /// `eventID`, the same in every run over the same traffic.
    public var sequence: Int

    public init(kind: Kind, alertID: String, time: Int64, sequence: Int) {
        self.kind = kind
        self.alertID = alertID
        self.time = time
        self.sequence = sequence
    }

    /// Stable across runs and restarts: receivers de-duplicate on it (delivery is at least once).
    public var eventID: String { "\(alertID)/\(sequence)-\(kind.rawValue)" }
}
