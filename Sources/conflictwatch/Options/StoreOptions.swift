import ArgumentParser
import ConflictWatchCore
import ConflictWatchServer
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

/// Where the query commands read from: the embedded store (`--state-dir`) or a running
/// daemon's query API (`--server URL`, SPEC §2), never both.
struct QuerySourceOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp(
        "Ask a running daemon's query API instead of reading the store, e.g. http://127.0.0.1:9409.", valueName: "url"))
    var server: String?

    @Option(name: .long, help: ArgumentHelp(
        "The daemon's API token (default: $CONFLICTWATCH_API_TOKEN; the variable keeps it out of `ps`).", valueName: "token"))
    var apiToken: String?

    func validate() throws {
        guard let server else {
            if apiToken != nil { throw ValidationError("--api-token is for --server; the store in --state-dir needs none") }
            return
        }
        if store.stateDir != nil {
            throw ValidationError("--server and --state-dir both given: keep --server to ask a running daemon, or --state-dir to read its store directly")
        }
        guard APIClient.isValidBase(server) else {
            throw ValidationError("--server \(server): expected an http:// or https:// URL such as http://127.0.0.1:9409")
        }
        if let apiToken, apiToken.isEmpty { throw ValidationError("--api-token needs a value; leave it out to use $\(QueryServerConfiguration.tokenEnvironmentVariable)") }
    }

    /// The client for `--server`, nil when the commands read the store.
    var client: APIClient? {
        server.map { url in
            APIClient(base: url, token: apiToken ?? QueryServerConfiguration.tokenFromEnvironment())
        }
    }
}

/// Output of the query commands.
enum QueryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

extension Alert.Kind: ExpressibleByArgument {}
extension Alert.Severity: ExpressibleByArgument {}
