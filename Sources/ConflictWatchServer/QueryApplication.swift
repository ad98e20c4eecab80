import ConflictWatchStore
import Hummingbird
import HummingbirdCore
import Logging

/// The query API and metrics server (SPEC §9), a ServiceLifecycle `Service` to run beside the
/// daemon's pipeline. `store` is opened read-only by the caller (`mode: .reader`); `status` is
/// the daemon's live status, or nil when nothing feeds it (then `/metrics` reads 0).
/// `onListening` receives the bound port once the server accepts connections (useful with port 0).
/// `silenceWriter` (the daemon's writer) lets `POST`/`DELETE /api/v1/silences` change silences.
/// `results` and `silences`, when given, are what alerts, hot spots, routes, series and silences
/// are read from instead of `store`: a fleet agent's API and dashboard show the fleet (SPEC §7).
public func buildQueryApplication(
    configuration: QueryServerConfiguration,
    store: ConflictStore,
    results: (any ResultStore)? = nil,
    silences: (any SilenceStore)? = nil,
    status: LiveStatus?,
    silenceWriter: ConflictStore? = nil,
    logger: Logger,
    onListening: (@Sendable (Int) async -> Void)? = nil
) -> some ApplicationProtocol {
    let limits = configuration.limits
    let gate = ConnectionGate(limit: limits.maxConnections)
    let router = QueryRoutes.router(store: store, results: results, silences: silences, status: status, connections: gate, apiToken: configuration.apiToken,
                                    silenceWriter: silenceWriter, logger: logger)
    return Application(
        router: router,
        server: HTTPServerBuilder { responder in
            LimitedHTTP1Channel(responder: responder, limits: limits, gate: gate, logger: logger)
        },
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port), serverName: "conflictwatch"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            logger.info("query API listening", metadata: [
                "address": "\(configuration.address)", "port": "\(port)", "token": "\(configuration.requiresToken ? "required" : "none")",
                "max_connections": "\(limits.maxConnections)", "idle_timeout_s": "\(limits.idleTimeout.components.seconds)",
                "request_timeout_s": "\(limits.requestTimeout.components.seconds)",
            ])
            await onListening?(port)
        },
        logger: logger)
}
