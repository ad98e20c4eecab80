import ArgumentParser
import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore

struct HotspotsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "The latest predicted hot spots in the store, most likely to conflict first.",
        discussion: """
            Examples:
              conflictwatch hotspots --top 10
              conflictwatch hotspots --format json --state-dir /var/lib/conflictwatch
              conflictwatch hotspots --server http://127.0.0.1:9409
            """
    )

    @OptionGroup var source: QuerySourceOptions
    @OptionGroup var fleetSource: FleetSourceOptions

    @Option(name: .long, help: "How many hot spots.")
    var top: Int = HotspotQuery.defaultTop

    @Option(name: .long, help: "table, json (SPEC §6 hot-spot rows) or csv.")
    var format: QueryFormat = .table

    func validate() throws {
        try fleetSource.check(against: source)
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
    }

    func run() async throws {
        let query = HotspotQuery(top: top)
        let rows: [HotspotRow]
        if let api = source.client {
            rows = try await api.get([HotspotRow].self, path: HotspotQuery.path, parameters: query.parameters)
        } else {
            rows = try await fleetSource.withResults(source) { try await query.run(on: $0) }
        }
        switch format {
        case .json: QueryOutput.write(try QueryOutput.json(rows))
        case .table: QueryOutput.write(ReportRenderer.hotspots(rows))
        case .csv:
            var out = CSV.row(["resource", "route", "probability", "write_rate", "writers", "edit_window_ms", "conflicts", "since"])
            for h in rows {
                out += CSV.row([h.resource, h.route, "\(h.probability)", "\(h.writeRate)", "\(h.writers)",
                                h.editWindowMs.map { "\($0)" } ?? "", "\(h.conflicts)", h.since])
            }
            QueryOutput.write(out)
        }
    }
}
