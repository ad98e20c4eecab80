/// An alert's kind and severity as one label: two kinds times four severities, so at most eight
/// values. The metrics' per-alert series are keyed by it.
public struct AlertLabel: Sendable, Hashable {
    public var kind: Alert.Kind
    public var severity: Alert.Severity

    public init(kind: Alert.Kind, severity: Alert.Severity) {
        self.kind = kind
        self.severity = severity
    }

    public init(_ alert: Alert) {
        self.init(kind: alert.kind, severity: alert.severity)
    }

    public static let all: [AlertLabel] = [Alert.Kind.burst, .hotspot].flatMap { kind in
        Alert.Severity.allCases.map { AlertLabel(kind: kind, severity: $0) }
    }
}
