import ArgumentParser
import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore

struct AlertsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one stored alert with its evidence (top clients, resources, samples).",
        discussion: """
            Examples:
              conflictwatch alerts show burst-20251124T160500Z-d52cbe --format json
              conflictwatch alerts show hotspot-20251124T160504Z-d52cbe \\
                --server http://127.0.0.1:9409
            """
    )

    @OptionGroup var source: QuerySourceOptions
    @OptionGroup var fleetSource: FleetSourceOptions

    @Option(name: .long, help: "table (for people) or json (the SPEC §6 alert).")
    var format: OutputFormat = .table

    @Argument(help: ArgumentHelp("The alert's id, as `alerts` lists it.", valueName: "id"))
    var id: String

    func validate() throws {
        try fleetSource.check(against: source)
    }

    func run() async throws {
        let a: Alert
        if let api = source.client {
            a = try await api.get(Alert.self, path: AlertQuery.path + "/" + APIClient.encode(id))
        } else {
            guard let found = try await fleetSource.withResults(source, { try await $0.alert(id: id) }) else {
                let list = fleetSource.databaseURL == nil ? "`conflictwatch alerts`" : "`conflictwatch alerts --database-url URL`"
                throw RuntimeFailure("no alert \(id) in \(fleetSource.databaseURL == nil ? source.store.directory : "the fleet's database"); list them with \(list)")
            }
            a = found
        }
        switch format {
        case .json: QueryOutput.write(try QueryOutput.json(a))
        case .table:
            // Route, resource, clients, samples and the reason quoting them came from traffic.
            let e = TerminalText.escape
            var out = """
                \(e(a.id))  \(a.kind.rawValue)  \(a.severity.rawValue)  \(e(a.class.joined(separator: ",")))
                route     \(e(a.route))
                resource  \(e(a.resource ?? "-"))
                client    \(e(a.client ?? "-"))
                time      \(e(TableTime.utc(a.start))) → \(e(a.end.map(TableTime.utc) ?? "open"))
                agents    \(e(a.agents?.joined(separator: ",") ?? "-"))
                peak      \(a.peakCount) (expected \(a.expected), score \(a.score)\(a.probability.map { ", p \($0)" } ?? ""))
                statuses  \(e(a.statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")))
                reason    \(e(a.reason))\(a.silenced ? "\nsilenced  yes (no webhook, not counted as open; see `conflictwatch silence list`)" : "")

                """
            if !a.topClients.isEmpty {
                out += "top clients\n" + a.topClients.map { "  \(e($0.client))  \($0.count)\n" }.joined()
            }
            if !a.topResources.isEmpty {
                out += "top resources\n" + a.topResources.map { "  \(e($0.resource))  \($0.count)\n" }.joined()
            }
            if !a.samples.isEmpty {
                out += "samples\n" + a.samples.map { "  \(e(TableTime.utc($0.time)))  \(e($0.client))  \(e($0.method)) \(e($0.path))  \($0.status.map(String.init) ?? "-")\n" }.joined()
            }
            QueryOutput.write(out)
        }
    }
}
