import ArgumentParser
import ConflictWatchCore
import ConflictWatchStore
import Logging

/// `--state-dir`, shared by every command that reads or writes the embedded store.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The store's directory (default $XDG_STATE_HOME/conflictwatch, else ~/.local/state/conflictwatch).",
        valueName: "dir"))
    var stateDir: String?

    var directory: String { stateDir ?? StateDirectory.defaultPath() }

    func validate() throws {
        if let stateDir, stateDir.isEmpty { throw ValidationError("--state-dir needs a directory; leave it out for the default") }
    }

    func openForReading() throws -> ConflictStore {
        do {
            return try ConflictStore(directory: directory, mode: .reader, logger: Logger(label: "conflictwatch.store"))
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}
