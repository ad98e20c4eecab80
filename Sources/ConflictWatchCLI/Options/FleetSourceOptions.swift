import ArgumentParser
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore
import Logging

/// `--database-url` and `--agent` for the commands that can read a fleet's results (SPEC §7):
/// `alerts`, `alerts show`, `hotspots`, `routes`, `report`. A group of its own so that the
/// commands that cannot (silences, webhooks) do not offer them.
struct FleetSourceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Read a fleet's results from its PostgreSQL (SPEC §7) instead, e.g. postgres://conflictwatch@db:5432/conflictwatch.",
        valueName: "url"))
    var databaseURL: String?

    @Option(name: .long, help: ArgumentHelp("With --database-url: only alerts whose traffic came through this agent.", valueName: "name"))
    var agent: String?

    /// The rules that involve the other source flags (an option group sees only its own).
    func check(against source: QuerySourceOptions) throws {
        guard let databaseURL else {
            if agent != nil { throw ValidationError("--agent narrows a fleet's results; give --database-url too") }
            return
        }
        try Self.check(databaseURL, against: source, reads: "reads the fleet")
    }

    /// `--database-url` names the fleet, so not beside a flag naming one daemon, and parses.
    /// `reads` says what the command does with it, for the message.
    static func check(_ databaseURL: String, against source: QuerySourceOptions, reads: String) throws {
        if source.server != nil || source.store.stateDir != nil {
            throw ValidationError("--database-url \(reads); leave out --server and --state-dir (they name one daemon)")
        }
        try parse(databaseURL)
    }

    /// `--database-url` parses, or says why not.
    static func parse(_ databaseURL: String) throws {
        do {
            _ = try FleetDatabaseURL(databaseURL)
        } catch {
            throw ValidationError("--database-url: \(error.description)")
        }
    }

    /// Runs `body` on what the command reads when it does not ask a daemon's API: the fleet's
    /// results for `--database-url` (connected, closed after), else the embedded store of
    /// `--state-dir`. Either way a `ResultStore`: the queries do not know which. Failures come
    /// out as the one-line messages the commands print (exit 1).
    func withResults<T>(_ source: QuerySourceOptions, _ body: (any ResultStore) async throws -> T) async throws -> T {
        do {
            guard let databaseURL else { return try await body(try source.store.openForReading()) }
            return try await Self.withFleet(databaseURL, agent: agent) { try await body($0) }
        } catch let e as StoreError {
            throw RuntimeFailure(e.description)
        } catch let e as QueryParameterError {
            throw RuntimeFailure("--\(e.description)")
        }
    }

    /// Connects to the fleet's database at `url` (migrating it, as any agent does), runs `body`
    /// on its results (alerts narrowed to `agent`) and silences, and closes it; failing to
    /// connect or to read comes out as the one-line message the commands print (exit 1).
    static func withFleet<T>(_ url: String, agent: String?, _ body: (FleetResults) async throws -> T) async throws -> T {
        let logger = Logger(label: "conflictwatch.fleet") { _ in SwiftLogNoOpLogHandler() }
        let db: FleetDatabase
        do {
            db = try await FleetDatabase.connect(try FleetDatabaseURL(url), logger: logger)
        } catch {
            throw RuntimeFailure(error.description)
        }
        let results = FleetResults(database: db, agent: agent, logger: logger)
        do {
            let value = try await body(results)
            await results.close()
            return value
        } catch let e as ResultStoreUnavailable {
            await results.close()
            throw RuntimeFailure(e.message)
        } catch {
            await results.close()
            throw error
        }
    }
}
