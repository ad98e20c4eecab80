import ArgumentParser
import ConflictWatchDaemon
import ConflictWatchServer

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
