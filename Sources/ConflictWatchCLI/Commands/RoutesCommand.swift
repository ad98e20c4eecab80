import ArgumentParser
import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore

struct RoutesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Per-route statistics from the store's per-minute rollups.",
        discussion: """
            Requests, writes, conflicts and statuses add up exactly over the window
            (traffic minutes). Writers and resources are the daemon's running distinct
            counts (the window's largest; they start again after a restart), p50/p99 the
            latest ones.

            Examples:
              conflictwatch routes --since 1h
              conflictwatch routes --format json --since 2026-11-24T10:00:00Z
              conflictwatch routes --server http://127.0.0.1:9409 --since 1h
            """
    )

    @OptionGroup var source: QuerySourceOptions
    @OptionGroup var fleetSource: FleetSourceOptions

    @Option(name: .long, help: ArgumentHelp("From this traffic time: 30m, 1h, 7d or RFC 3339 (default: everything).", valueName: "when"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Up to this traffic time: 30m, 1h, 7d or RFC 3339.", valueName: "when"))
    var until: String?

    @Option(name: .long, help: "Rows in the table.")
    var top: Int = 20

    @Option(name: .long, help: "table, json (SPEC §6 route rows) or csv.")
    var format: QueryFormat = .table

    func validate() throws {
        try fleetSource.check(against: source)
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, !TimeSpec.isValid(value) {
                throw ValidationError("\(name) \(value): give a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z")
            }
        }
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let query = RouteQuery(since: since, until: until)
        let rows: [RouteRow]
        if let api = source.client {
            rows = try await api.get([RouteRow].self, path: RouteQuery.path, parameters: query.parameters)
        } else {
            rows = try await fleetSource.withResults(source) { try await query.run(on: $0) }
        }
        if rows.isEmpty, fleetSource.databaseURL == nil { await WindowHint.report(what: "routes", since: since, listed: false, source: source) }
        switch format {
        case .json: QueryOutput.write(try QueryOutput.json(rows))
        case .table: QueryOutput.write(ReportRenderer.routes(rows, top: top, fromStore: true))
        case .csv:
            var out = CSV.row(["route", "requests", "writes", "conflicts", "conflict_ratio", "writers", "resources", "p50_ms", "p99_ms", "statuses"])
            for r in rows {
                let statuses = r.statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
                out += CSV.row([r.route, "\(r.requests)", "\(r.writes)", "\(r.conflicts)", "\(r.conflictRatio)", "\(r.writers)",
                                "\(r.resources)", r.p50Ms.map { "\($0)" } ?? "", r.p99Ms.map { "\($0)" } ?? "", statuses])
            }
            QueryOutput.write(out)
        }
    }
}
