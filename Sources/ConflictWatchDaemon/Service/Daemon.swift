import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the daemon's services in one service group: the tail service (the pipeline) and, when
/// configured, the query API and the webhook sender. SIGINT/SIGTERM shut them down gracefully —
/// the group stops services in reverse order, so the pipeline flushes and checkpoints first and
/// the sender then gets a last look at the outbox (what it cannot deliver at once stays in the
/// store for the next start) — with 4 s before they are cancelled, inside SPEC's 5 s.
public enum Daemon {
    public static func run(_ settings: DaemonSettings, logger: Logger,
                           reloadSettings: (@Sendable () throws -> DaemonSettings)? = nil) async throws {
        if let openFiles = OpenFileLimit.raiseSoftLimit() {
            logger.info("open file limit", metadata: ["soft": "\(openFiles.soft)", "hard": "\(openFiles.hard)", "was": "\(openFiles.before)"])
        }
        let lock = try DaemonLock(directory: settings.stateDirectory)
        defer { withExtendedLifetime(lock) {} }
        let store = try ConflictStore(directory: settings.stateDirectory, mode: .writer, logger: logger)
        var initial = LiveStatus.Snapshot()
        initial.started = Double(SystemClock.wallMicros()) / 1e6
        let status = LiveStatus(initial)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // Opened before anything runs: a missing CAP_NET_RAW or a bad interface stops the start
        // with libpcap's message.
        var captures: [InterfaceCapture] = []
        for interface in settings.interfaces {
            captures.append(try InterfaceCapture(settings: interface, logger: logger))
        }
        let aggregatorStatus = settings.fleet.map { _ in FleetAggregatorStatus() }
        // One daemon's receivers hear its alerts from its store's outbox. A fleet agent's hear
        // the fleet's (SPEC §7): one alert per incident, from the fleet's outbox, sent by the
        // agent holding the aggregator role; its own per-host alerts stay in its store, unsent
        // (every host of N would otherwise announce one incident N times).
        var outbox: WebhookOutbox?
        var fleetOutbox: WebhookOutbox?
        // The fleet's result readers hold a PostgreSQL connection each once used; they are
        // closed when the services have stopped (a connection dropped unclosed is a leak, and
        // an assertion failure in PostgresNIO's debug builds).
        var fleetResults: [FleetResults] = []
        if !settings.webhooks.isEmpty {
            let box = WebhookOutbox(targets: settings.webhooks, status: status, logger: logger)
            let sender: WebhookSender
            if let fleet = settings.fleet, let aggregatorStatus {
                fleetOutbox = box
                let queue = FleetResults(url: fleet.url, logger: logger)
                fleetResults.append(queue)
                sender = WebhookSender(outbox: box, queue: queue, policy: settings.webhookRetry,
                                       status: status, logger: logger, active: { aggregatorStatus.leading })
                logger.info("webhooks enabled for the fleet's alerts, sent while this agent holds the aggregator role",
                            metadata: ["urls": "\(settings.webhooks.map(\.url))"])
            } else {
                outbox = box
                sender = WebhookSender(outbox: box, store: store, policy: settings.webhookRetry, status: status, logger: logger)
                logger.info("webhooks enabled", metadata: ["urls": "\(settings.webhooks.map(\.url))"])
            }
            services.append(.init(service: UntilShutdown(sender),
                                  successTerminationBehavior: .ignore,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        if var listen = settings.listen {
            listen.limits.maxConnections = apiConnectionCap(listen.limits.maxConnections, logger: logger)
            // Its own read-only connections: a slow query never holds up the writer. Silences are
            // written through the daemon's writer (a short transaction between two flushes). A
            // fleet agent's API shows the fleet's results and silences (SPEC §7), read on a
            // connection of its own; its metrics and health stay this agent's.
            let reader = try ConflictStore(directory: settings.stateDirectory, mode: .reader, logger: logger)
            let results = settings.fleet.map { FleetResults(url: $0.url, logger: logger) }
            if let results { fleetResults.append(results) }
            services.append(.init(service: buildQueryApplication(configuration: listen, store: reader, results: results, silences: results, status: status,
                                                                  silenceWriter: store, logger: logger),
                                  successTerminationBehavior: .gracefullyShutdownGroup,
                                  failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        var agentStatus: FleetAgentStatus?
        if let fleet = settings.fleet, let aggregatorStatus {
            // A database that is down is waited for (the outbox holds the summaries); a schema
            // newer than this build stops the daemon with the reason (`FleetError.fatal`).
            let box = FleetBacklog()
            agentStatus = FleetAgentStatus(backlog: box, aggregator: aggregatorStatus)
            services.append(.init(service: FleetShipper(url: fleet.url, agent: fleet.agent, store: store, backlog: box, logger: logger),
                                  successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup))
            var aggregator = FleetAggregator.Settings(url: fleet.url, agent: fleet.agent, parameters: settings.parameters)
            aggregator.hotspotCount = settings.hotspotCount
            aggregator.agentTimeout = fleet.agentTimeoutSeconds
            aggregator.keepSummariesDays = settings.retentionDays
            aggregator.webhooks = settings.webhooks
            if let fleetOutbox { aggregator.wakeWebhookSender = { fleetOutbox.wakeSender() } }
            services.append(.init(service: FleetAggregator(settings: aggregator, status: aggregatorStatus, logger: logger),
                                  successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup))
            logger.info("fleet agent", metadata: ["agent": "\(fleet.agent)", "database": "\(fleet.url)"])
        }
        services.append(.init(service: TailService(settings: settings, store: store, logger: logger, status: status,
                                                   outbox: outbox, captures: captures, fleet: agentStatus,
                                                   reloadSettings: reloadSettings),
                              successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        var config = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        config.maximumGracefulShutdownDuration = .seconds(4)
        do {
            try await ServiceGroup(configuration: config).run()
        } catch {
            for r in fleetResults { await r.close() }
            throw error
        }
        for r in fleetResults { await r.close() }
    }

    /// The API's connection cap, lowered when the open-file limit leaves no room for it beside
    /// the sources and the store: a warning rather than a refusal to start, since the limit
    /// belongs to the environment (systemd's LimitNOFILE=, ulimit -n) more than to the config,
    /// and a lower cap still serves probes.
    static func apiConnectionCap(_ requested: Int, logger: Logger) -> Int {
        guard let soft = OpenFileLimit.current() else { return requested }
        let budget = DescriptorBudget(openFileLimit: soft)
        let (cap, clamped) = budget.connectionCap(requested: requested)
        if clamped {
            logger.warning("api_max_connections lowered to fit the open file limit", metadata: [
                "requested": "\(requested)", "max_connections": "\(cap)", "open_file_limit": "\(soft)",
                "reserved": "\(budget.reserve)",
            ])
        }
        return cap
    }
}
