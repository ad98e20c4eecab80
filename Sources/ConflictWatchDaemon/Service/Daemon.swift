import Logging
import ServiceLifecycle

/// Runs the tail service in a service group: SIGINT/SIGTERM shut it down gracefully (stop
/// reading, flush, checkpoint) with 4 s to do so before it is cancelled, inside SPEC's 5 s.
public enum Daemon {
    public static func run(_ settings: DaemonSettings, logger: Logger,
                           reloadSettings: (@Sendable () throws -> DaemonSettings)? = nil) async throws {
        var config = ServiceGroupConfiguration(
            services: [.init(service: TailService(settings: settings, logger: logger, reloadSettings: reloadSettings),
                             successTerminationBehavior: .gracefullyShutdownGroup,
                             failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        config.maximumGracefulShutdownDuration = .seconds(4)
        try await ServiceGroup(configuration: config).run()
    }
}
