import ConflictWatchCore

/// Finds the alerts that are new or changed since the last flush, so each flush writes only
/// those, and the transitions a person is told about: an alert opened (or reopened) and closed.
/// A growing count on an open alert is written but is not an event.
struct AlertTracker {
    struct Changes {
        var changed: [Alert] = []
        var events: [AlertEvent] = []
    }

    private var written: [String: Alert] = [:]
    /// Alerts written and not closed (for `/metrics`).
    private(set) var openCount = 0

    mutating func changes(in alerts: [Alert]) -> Changes {
        var out = Changes()
        for a in alerts {
            let previous = written[a.id]
            guard previous != a else { continue }
            written[a.id] = a
            out.changed.append(a)
            openCount += (a.end == nil ? 1 : 0) - (previous.map { $0.end == nil ? 1 : 0 } ?? 0)
            switch (previous.map { $0.end == nil }, a.end == nil) {
            case (nil, true), (false?, true):
                out.events.append(AlertEvent(kind: .opened, alert: a))
            case (nil, false):
                // Opened and closed between two flushes (a replay from the start): both are told.
                var opened = a
                opened.end = nil
                out.events.append(AlertEvent(kind: .opened, alert: opened))
                out.events.append(AlertEvent(kind: .closed, alert: a))
            case (true?, false):
                out.events.append(AlertEvent(kind: .closed, alert: a))
            case (true?, true), (false?, false):
                break
            }
        }
        return out
    }
}
