import ConflictWatchDaemon
import Logging

/// Runs the daemon for `tail`, `run` and `capture -i --state-dir`: logs are structured
/// key=value lines on stderr (swift-log), and a failure of the service group is a runtime
/// failure (exit 1) saying why.
enum DaemonLauncher {
    static func run(_ settings: DaemonSettings, logLevel: Logger.Level,
                    reloadSettings: (@Sendable () throws -> DaemonSettings)? = nil) async throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = logLevel
            return h
        }
        let logger = Logger(label: "conflictwatch")
        do {
            try await Daemon.run(settings, logger: logger, reloadSettings: reloadSettings)
        } catch {
            throw RuntimeFailure("the daemon stopped: \(error)")
        }
    }
}
