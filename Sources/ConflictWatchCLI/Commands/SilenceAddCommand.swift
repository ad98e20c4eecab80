import ArgumentParser
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation

struct SilenceAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Silence the alerts matching every given matcher, for a while.",
        discussion: """
            Matchers: --route (glob on the route template; * also crosses /), --kind,
            --client (exact), --resource (glob on the path). An alert without its own
            client or resource (a route-wide burst, a route's hot spots) matches those
            only when every client or resource it lists does. Prints the silence's id.

            Examples:
              conflictwatch silence add --route '/api/orders/*' --for 2h \\
                --comment 'deploy 4121, ticket OPS-88'
              conflictwatch silence add --client 10.0.0.7 --kind burst --for 30m \\
                --comment 'load test'
              conflictwatch silence add --route '/api/carts/*' --for 1h \\
                --comment 'cart rewrite' --database-url postgres://cw@db/conflictwatch
            """
    )

    @OptionGroup var target: SilenceSourceOptions

    @Option(name: .long, help: ArgumentHelp("Route glob, e.g. '/api/orders/*'; '*' is every route.", valueName: "glob"))
    var route: String?

    @Option(name: .long, help: "burst or hotspot.")
    var kind: Alert.Kind?

    @Option(name: .long, help: ArgumentHelp("Client address, exactly.", valueName: "addr"))
    var client: String?

    @Option(name: .long, help: ArgumentHelp("Resource glob, e.g. '/api/orders/13'.", valueName: "glob"))
    var resource: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("How long from now: 30m, 2h, 1h30m, 7d (at most 90d).", valueName: "duration"))
    var duration: String

    @Option(name: .long, help: ArgumentHelp("Why (the incident, a ticket): shown with the silence.", valueName: "text"))
    var comment: String

    @Option(name: .long, help: ArgumentHelp("Who sets it (default: $USER).", valueName: "name"))
    var author: String?

    @Option(name: .long, help: "table (the id and span) or json (the silence).")
    var format: OutputFormat = .table

    var request: SilenceRequest {
        SilenceRequest(route: route, kind: kind, client: client, resource: resource, comment: comment,
                       author: author ?? Self.defaultAuthor(), duration: duration)
    }

    func validate() throws {
        do {
            try request.validate()
        } catch {
            throw ValidationError("--\(error.description)")
        }
    }

    func run() async throws {
        let silence: Silence
        if let fleet = try await target.withFleet({ store in
            let s = try request.silence(now: CivilTime.nowMicros())
            try await store.addSilence(s)
            return s
        }) {
            silence = fleet
        } else if let api = target.client {
            silence = try await api.send(Silence.self, method: .post, path: SilenceRequest.path, body: request.json)
        } else {
            silence = try request.silence(now: CivilTime.nowMicros())
            do {
                try target.openForWriting().addSilence(silence)
            } catch let e as StoreError {
                throw RuntimeFailure(e.description)
            }
        }
        switch format {
        case .json: QueryOutput.write(try QueryOutput.json(silence))
        case .table: QueryOutput.write("\(silence.id)  until \(silence.ends)\n")
        }
    }

    static func defaultAuthor(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let user = environment["USER"], !user.isEmpty { return user }
        if let user = environment["LOGNAME"], !user.isEmpty { return user }
        return "unknown"
    }
}
