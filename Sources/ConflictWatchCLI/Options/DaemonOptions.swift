import ArgumentParser
import ConflictWatchDaemon
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore
import Logging

/// What every foreground daemon (`tail`, `capture -i` into a store) shares: retention, webhooks,
/// the query API and the log level. `run --config` has the same settings in its file.
struct DaemonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Days of history kept in the store.", valueName: "days"))
    var retentionDays: Int = 30

    @Option(name: .long, help: ArgumentHelp(
        "POST each opened/closed alert as JSON to this URL, with retry and back-off (repeatable).", valueName: "url"))
    var webhook: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Serve the query API, metrics and dashboard here (SPEC §9), e.g. 127.0.0.1:9409.", valueName: "host:port"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp(
        "Bearer token the API requires; needed off loopback (default: $CONFLICTWATCH_API_TOKEN).", valueName: "token"))
    var apiToken: String?

    @Option(name: .long, help: ArgumentHelp(
        "Close an API keep-alive connection idle this long (1-3600, default 60).", valueName: "seconds"))
    var apiIdleTimeout: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Answer 408 and close an API connection whose request head is not complete after this long (1-600, default 10).",
        valueName: "seconds"))
    var apiRequestTimeout: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Answer 503 and close API connections beyond this many (1-65536, default 256; lowered to fit the open file limit).",
        valueName: "n"))
    var apiMaxConnections: Int?

    @OptionGroup var fleet: FleetAgentOptions

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard DaemonConfig.retentionDaysRange.contains(retentionDays) else {
            throw ValidationError("--retention-days \(retentionDays): allowed \(DaemonConfig.retentionDaysRange.lowerBound)…\(DaemonConfig.retentionDaysRange.upperBound) days (default 30)")
        }
        _ = try serverConfiguration()
        try fleet.check()
        for url in webhook where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--webhook \(url): give an http:// or https:// URL")
        }
    }

    /// `--listen` with its token; an address off loopback without one is refused (exit 2).
    func serverConfiguration() throws -> QueryServerConfiguration? {
        let limits: ServerLimits
        do {
            limits = try ServerLimits(idleSeconds: apiIdleTimeout, requestSeconds: apiRequestTimeout,
                                      maxConnections: apiMaxConnections, key: \.flag)
        } catch {
            throw ValidationError(error.description)
        }
        guard let listen else {
            if apiToken != nil { throw ValidationError("--api-token protects the API of --listen; give --listen too") }
            if limits != ServerLimits() { throw ValidationError("the --api-* limits are for the API of --listen; give --listen too") }
            return nil
        }
        do {
            return try QueryServerConfiguration.parse(
                listen: listen, apiToken: apiToken ?? QueryServerConfiguration.tokenFromEnvironment(), limits: limits)
        } catch {
            throw ValidationError("--listen \(listen): \(error.description)")
        }
    }

    func apply(to settings: inout DaemonSettings) throws {
        settings.retentionDays = retentionDays
        settings.webhooks = webhook.map { WebhookTarget(url: $0) }
        settings.listen = try serverConfiguration()
        settings.fleet = try fleet.settings()
    }
}
