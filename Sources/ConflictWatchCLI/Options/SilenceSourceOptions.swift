import ArgumentParser
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
        try FleetSourceOptions.check(databaseURL, against: source, reads: "is the fleet's silences")
    }

    /// Runs `body` on the fleet's silences for `--database-url` (connected, closed after), or
    /// returns nil without calling it.
    func withFleet<T>(_ body: (any SilenceStore) async throws -> T) async throws -> T? {
        guard let databaseURL else { return nil }
        return try await FleetSourceOptions.withFleet(databaseURL, agent: nil) { try await body($0) }
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
