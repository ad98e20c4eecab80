import ConflictWatchCore

/// Finds the alerts that are new or changed since the last flush, so each flush writes only those.
struct AlertTracker {
    private var written: [String: Alert] = [:]

    mutating func changes(in alerts: [Alert]) -> [Alert] {
        var out: [Alert] = []
        for a in alerts where written[a.id] != a {
            written[a.id] = a
            out.append(a)
        }
        return out
    }
}
