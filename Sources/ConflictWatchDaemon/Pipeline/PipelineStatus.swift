import ConflictWatchCore

/// What the live pipeline reports after each flush, and at most once a second while idle: the
/// pipeline's own value, in Core's terms, so the ingest side knows nothing of the query server.
/// `StatusPublisher` turns it into the `LiveStatus` that `/metrics` and `/healthz` read.
struct PipelineStatus: Sendable {
    /// The followed lines as the line decoder counted them (captured exchanges add to `exchanges`).
    var lines: UInt64 = 0
    var exchanges: UInt64 = 0
    var malformed: UInt64 = 0
    var writes: UInt64 = 0
    var conflicts: UInt64 = 0
    /// Open alerts not silenced, by kind and their severity now.
    var openAlertsByLabel: [AlertLabel: Int] = [:]
    var openAlerts = 0
    /// Alerts opened since the daemon started (reloads included), by their first severity.
    var alertsOpened: [AlertLabel: UInt64] = [:]
    /// Responses by raw status code since the start.
    var statuses: [Int: UInt64] = [:]
    var conflictStatuses: [Int] = []
    /// Writes and conflicts per reported route, unbounded; nil when not recounted since the last
    /// report (the pipeline recounts them at most once a second: summing 10,000 routes is not free).
    var routeWrites: [(route: String, writes: UInt64, conflicts: UInt64)]? = nil
    var packets = CapturePacketCounts([])
    var unreadBytes: UInt64 = 0
    var followedFiles = 0
    /// Wall-clock µs of the commit this report follows; nil between commits.
    var committedAtMicros: Int64? = nil
    /// How long the oldest line not yet committed has waited; 0 when every line read is.
    var lagSeconds = 0.0
}
