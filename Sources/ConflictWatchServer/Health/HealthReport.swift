import ConflictWatchCore
import Foundation

/// `/healthz`: always `"ok"` while the server answers (a probe only asks "is it up"); the
/// other fields let a person or a smarter probe judge "is it keeping up". They are null when
/// no daemon pipeline feeds the server.
struct HealthReport: Codable, Equatable {
    var status = "ok"
    var uptimeSeconds: Double?
    var secondsSinceLastCommit: Double?
    var lagSeconds: Double?
    var openAlerts: Int?
    var followedFiles: Int?

    enum CodingKeys: String, CodingKey {
        case status
        case uptimeSeconds = "uptime_seconds"
        case secondsSinceLastCommit = "seconds_since_last_commit"
        case lagSeconds = "lag_seconds"
        case openAlerts = "open_alerts"
        case followedFiles = "followed_files"
    }

    init(status live: LiveStatus?, now: Double = Double(SystemClock.wallMicros()) / 1e6) {
        guard let s = live?.snapshot else { return }
        uptimeSeconds = s.started > 0 ? max(0, now - s.started) : nil
        secondsSinceLastCommit = s.lastCommit.map { max(0, now - $0) }
        lagSeconds = s.lagSeconds
        openAlerts = s.openAlerts
        followedFiles = s.followedFiles
    }

    /// Every key written, absent values as null, so probes can rely on the shape.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(secondsSinceLastCommit, forKey: .secondsSinceLastCommit)
        try c.encode(lagSeconds, forKey: .lagSeconds)
        try c.encode(openAlerts, forKey: .openAlerts)
        try c.encode(followedFiles, forKey: .followedFiles)
    }
}
