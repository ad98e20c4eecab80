import ArgumentParser
import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore

struct AlertsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored alerts, filtered (the default of `alerts`).",
        discussion: """
            Reads the store a daemon (`tail`, `run`) or `analyze --state-dir` writes; safe
            while the daemon runs. --server URL asks a running daemon's query API instead
            (same output). --since/--until take a span back from now (30m, 1h, 7d) or an
            RFC 3339 time; an alert is listed when it overlaps that window.

            Examples:
              conflictwatch alerts --since 1h --min-severity high
              conflictwatch alerts --route '/api/orders/*' --open --format json
              conflictwatch alerts --since 2026-11-24T10:00:00Z --format csv \\
                > alerts.csv
              conflictwatch alerts --server http://127.0.0.1:9409 --open
            """
    )

    @OptionGroup var source: QuerySourceOptions
    @OptionGroup var fleetSource: FleetSourceOptions

    @Option(name: .long, help: ArgumentHelp("Alerts still open at or after this: 30m, 1h, 7d or RFC 3339.", valueName: "when"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Alerts started at or before this: 30m, 1h, 7d or RFC 3339.", valueName: "when"))
    var until: String?

    @Option(name: .long, help: "burst or hotspot.")
    var kind: Alert.Kind?

    @Option(name: .long, help: ArgumentHelp("Route glob, e.g. '/api/orders/*'.", valueName: "glob"))
    var route: String?

    @Option(name: .long, help: ArgumentHelp("Only alerts blaming this client address.", valueName: "addr"))
    var client: String?

    @Option(name: .long, help: "low, medium, high or critical.")
    var minSeverity: Alert.Severity?

    @Flag(name: .long, help: "Only alerts not closed yet.")
    var open = false

    @Flag(name: .long, help: "Leave out alerts a silence covers (listed, flagged, by default).")
    var hideSilenced = false

    @Option(name: .long, help: "The newest this many alerts (still listed oldest first).")
    var limit: Int?

    @Option(name: .long, help: "table, json (SPEC §6 alerts array) or csv.")
    var format: QueryFormat = .table

    func validate() throws {
        try fleetSource.check(against: source)
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, !TimeSpec.isValid(value) {
                throw ValidationError("\(name) \(value): give a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z")
            }
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let query = AlertQuery(since: since, until: until, kind: kind, route: route, client: client,
                               minSeverity: minSeverity, open: open, limit: limit, hideSilenced: hideSilenced)
        let alerts: [Alert]
        if let api = source.client {
            alerts = try await api.get([Alert].self, path: AlertQuery.path, parameters: query.parameters)
        } else {
            alerts = try await fleetSource.withResults(source) { try await query.run(on: $0) }
        }
        if fleetSource.databaseURL == nil { await WindowHint.report(what: "alerts", since: since, listed: !alerts.isEmpty, source: source) }
        switch format {
        case .json: QueryOutput.write(try QueryOutput.json(alerts))
        case .table: QueryOutput.write(ReportRenderer.alerts(alerts))
        case .csv:
            var out = CSV.row(["id", "kind", "severity", "route", "resource", "client", "start", "end", "peak_count", "expected", "score", "reason", "silenced"])
            for a in alerts {
                out += CSV.row([
                    a.id, a.kind.rawValue, a.severity.rawValue, a.route, a.resource ?? "", a.client ?? "", a.start,
                    a.end ?? "", "\(a.peakCount)", "\(a.expected)", "\(a.score)", a.reason, a.silenced ? "true" : "false",
                ])
            }
            QueryOutput.write(out)
        }
    }
}
