import ArgumentParser
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Logging

/// Where `silence` reads and writes: the embedded store (`--state-dir`) or a running daemon's
/// API (`--server URL`), as for `alerts`.
struct SilenceSourceOptions: ParsableArguments {
    @OptionGroup var source: QuerySourceOptions

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
