import ConflictWatchServer
import Logging
import ServiceLifecycle

/// Runs the daemon's services in one service group: the tail service (the pipeline) and, when
/// configured, the webhook sender. SIGINT/SIGTERM shut them down gracefully — the group stops
/// services in reverse order, so the pipeline flushes and checkpoints first and the sender then
/// delivers what that flush produced — with 4 s before they are cancelled, inside SPEC's 5 s.
public enum Daemon {
    public static func run(_ settings: DaemonSettings, logger: Logger,
                           reloadSettings: (@Sendable () throws -> DaemonSettings)? = nil) async throws {
        let status = LiveStatus()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var outbox: WebhookOutbox?
        if !settings.webhooks.isEmpty {
            let box = WebhookOutbox(targets: settings.webhooks, status: status, logger: logger)
            outbox = box
            services.append(.init(service: WebhookSender(outbox: box, policy: settings.webhookRetry, status: status, logger: logger),
                                  successTerminationBehavior: .ignore,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
            logger.info("webhooks enabled", metadata: ["urls": "\(settings.webhooks.map(\.url))"])
        }
        services.append(.init(service: TailService(settings: settings, logger: logger, status: status, outbox: outbox,
                                                   reloadSettings: reloadSettings),
                              successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        var config = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        config.maximumGracefulShutdownDuration = .seconds(4)
        try await ServiceGroup(configuration: config).run()
    }
}
