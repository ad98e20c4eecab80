import ArgumentParser
import ConflictWatchDaemon
import Dispatch
import Foundation
import Logging
import Synchronization

/// Runs the async daemon from the synchronous command tree: the service group runs in a task
/// on the global executor while this thread waits, so nothing of the pipeline touches the main
/// thread. Logs are structured key=value lines on stderr (swift-log).
enum DaemonLauncher {
    static func run(_ settings: DaemonSettings, logLevel: Logger.Level,
                    reloadSettings: (@Sendable () throws -> DaemonSettings)? = nil) throws {
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = logLevel
            return h
        }
        let logger = Logger(label: "conflictwatch")
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await Daemon.run(settings, logger: logger, reloadSettings: reloadSettings)
            } catch {
                outcome.fail("\(error)")
            }
            done.signal()
        }
        done.wait()
        if let message = outcome.failure {
            throw RuntimeFailure("the daemon stopped: \(message)")
        }
    }

    final class Outcome: Sendable {
        private let message = Mutex<String?>(nil)
        func fail(_ m: String) { message.withLock { $0 = m } }
        var failure: String? { message.withLock { $0 } }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
