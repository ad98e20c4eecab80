import ArgumentParser
import ConflictWatchFleet
import Logging

/// `--database-url` and `--agent` for the commands that can read a fleet's results (SPEC §7):
/// `alerts`, `alerts show`, `hotspots`, `routes`. A group of its own so that the commands that
/// cannot (silences, `report`) do not offer them.
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
        if source.server != nil || source.store.stateDir != nil {
            throw ValidationError("--database-url reads the fleet; leave out --server and --state-dir (they name one daemon)")
        }
        do {
            _ = try FleetDatabaseURL(databaseURL)
        } catch {
            throw ValidationError("--database-url: \(error.description)")
        }
    }

    /// Runs `body` on the fleet's database for `--database-url` (connected, closed after), or
    /// returns nil without calling it when the command reads a daemon.
    func withFleet<T>(_ body: (FleetDatabase) async throws -> T) async throws -> T? {
        guard let databaseURL else { return nil }
        let db: FleetDatabase
        do {
            db = try await FleetDatabase.connect(try FleetDatabaseURL(databaseURL), logger: Logger(label: "conflictwatch.fleet") { _ in SwiftLogNoOpLogHandler() })
        } catch {
            throw RuntimeFailure(error.description)
        }
        do {
            let value = try await body(db)
            await db.close()
            return value
        } catch let e as FleetError {
            await db.close()
            throw RuntimeFailure(e.description)
        } catch {
            await db.close()
            throw error
        }
    }
}
