import ArgumentParser
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore

struct SilenceListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the active silences (the default of `silence`); --all adds expired ones.",
        discussion: """
            Times are UTC. An expired silence is kept (who quieted what, and why) until the
            store's retention.

            Examples:
              conflictwatch silence list
              conflictwatch silence list --all --format json
              conflictwatch silence list --server http://127.0.0.1:9409
            """
    )

    @OptionGroup var source: SilenceSourceOptions

    @Flag(name: .long, help: "Expired silences too.")
    var all = false

    @Option(name: .long, help: "table or json (an array of silences).")
    var format: OutputFormat = .table

    func run() async throws {
        let silences: [Silence]
        if let fleet = try await source.withFleet({ try await $0.silences(includeExpired: all) }) {
            silences = fleet
        } else if let api = source.client {
            silences = try await api.get([Silence].self, path: SilenceRequest.path, parameters: all ? [("all", "true")] : [])
        } else if !source.storeExists {
            silences = []
        } else {
            do {
                silences = try source.source.store.openForReading().silences(includeExpired: all)
            } catch let e as StoreError {
                throw RuntimeFailure(e.description)
            }
        }
        switch format {
        case .json: QueryOutput.write(try QueryOutput.json(silences))
        case .table: QueryOutput.write(Self.table(silences, all: all))
        }
    }

    static func table(_ silences: [Silence], all: Bool) -> String {
        guard !silences.isEmpty else { return all ? "Silences: none\n" : "Silences: none active (--all lists expired ones)\n" }
        var t = TableRenderer([
            ("ID", .left), ("STATE", .left), ("ENDS (UTC)", .left), ("MATCHERS", .left), ("AUTHOR", .left), ("COMMENT", .left),
        ])
        for s in silences {
            var m = ["route=\(s.matchers.route)"]
            if let kind = s.matchers.kind { m.append("kind=\(kind.rawValue)") }
            if let client = s.matchers.client { m.append("client=\(client)") }
            if let resource = s.matchers.resource { m.append("resource=\(resource)") }
            t.add([s.id, s.expired ? "expired" : "active", String(s.ends.prefix(19)) + "Z", m.joined(separator: " "),
                   s.author, String(s.comment.prefix(60))])
        }
        return t.render()
    }
}
