import ArgumentParser
import ConflictWatchCore
import ConflictWatchStore

struct HotspotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "The latest predicted hot spots in the store, most likely to conflict first.",
        discussion: """
            Examples:
              conflictwatch hotspots --top 10
              conflictwatch hotspots --format json --state-dir /var/lib/conflictwatch
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "How many hot spots.")
    var top: Int = 20

    @Option(name: .long, help: "table, json (SPEC §6 hot-spot rows) or csv.")
    var format: QueryFormat = .table

    func validate() throws {
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let rows: [HotspotRow]
        do {
            rows = try store.openForReading().hotspots(top: top)
        } catch let e as StoreError {
            throw RuntimeFailure(e.description)
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
