import ConflictWatchCore

/// One configured receiver: where to POST and which alerts it wants.
public struct WebhookTarget: Sendable, Equatable {
    public var url: String
    /// Alerts below this severity are not sent to this receiver.
    public var minSeverity: Alert.Severity

    public init(url: String, minSeverity: Alert.Severity = .low) {
        self.url = url
        self.minSeverity = minSeverity
    }

    public func wants(_ event: AlertEvent) -> Bool {
        event.alert.severity >= minSeverity
    }
}
