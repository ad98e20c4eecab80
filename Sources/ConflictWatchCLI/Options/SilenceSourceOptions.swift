import ArgumentParser
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Logging

/// Where `silence` reads and writes: the embedded store (`--state-dir`), a running daemon's
/// API (`--server URL`), as for `alerts`, or a fleet's PostgreSQL (`--database-url`), whose
/// silences decide over the fleet's alerts.
struct SilenceSourceOptions: ParsableArguments {
    @OptionGroup var source: QuerySourceOptions

    @Option(name: .long, help: ArgumentHelp(
        "The fleet's silences in its PostgreSQL (SPEC §7) instead, e.g. postgres://conflictwatch@db:5432/conflictwatch.",
        valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        guard let databaseURL else { return }
        if source.server != nil || source.store.stateDir != nil {
            throw ValidationError("--database-url is the fleet's silences; leave out --server and --state-dir (they name one daemon)")
        }
        do {
            _ = try FleetDatabaseURL(databaseURL)
        } catch {
            throw ValidationError("--database-url: \(error.description)")
        }
    }

    /// Runs `body` on the fleet's silences for `--database-url` (connected, closed after), or
    /// returns nil without calling it.
    func withFleet<T>(_ body: (any SilenceStore) async throws -> T) async throws -> T? {
        guard let databaseURL else { return nil }
        let logger = Logger(label: "conflictwatch.fleet") { _ in SwiftLogNoOpLogHandler() }
        let fleet: FleetResults
        do {
            fleet = FleetResults(database: try await FleetDatabase.connect(try FleetDatabaseURL(databaseURL), logger: logger), logger: logger)
        } catch {
            throw RuntimeFailure(error.description)
        }
        do {
            let value = try await body(fleet)
            await fleet.close()
            return value
        } catch let e as ResultStoreUnavailable {
            await fleet.close()
            throw RuntimeFailure(e.message)
        } catch {
            await fleet.close()
            throw error
        }
    }

    var client: APIClient? { source.client }
    var directory: String { source.store.directory }

    /// Whether there is a store yet (listing none means no silences, not an error).
    var storeExists: Bool {
        FileManager.default.fileExists(atPath: StateDirectory.databasePath(in: directory))
    }

    /// The store to change silences in, created when missing (a silence may come before the first
    /// daemon). Needs no daemon lock: the daemon and this process share SQLite's WAL.
    func openForWriting() throws -> ConflictStore {
        do {
            return try ConflictStore(directory: directory, mode: .writer, logger: Logger(label: "conflictwatch.store"))
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}
