import ArgumentParser
import ConflictWatchFleet
import ConflictWatchStore
import Logging

/// Which webhook outbox `webhooks failed|pending|retry` work on: one daemon's store
/// (`--state-dir`), or a fleet's PostgreSQL (`--database-url`), whose outbox holds the fleet's
/// alert events (SPEC §7).
struct WebhookSourceOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: ArgumentHelp(
        "The fleet's webhook outbox in its PostgreSQL (SPEC §7) instead, e.g. postgres://conflictwatch@db:5432/conflictwatch.",
        valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        guard let databaseURL else { return }
        if store.stateDir != nil {
            throw ValidationError("--database-url is the fleet's outbox; leave out --state-dir (it names one daemon's store)")
        }
        try FleetSourceOptions.parse(databaseURL)
    }

    /// Runs `body` on the outbox named: the fleet's (connected, closed after) or the embedded
    /// store's (a reader, or with `writing` a writer; either way it must exist). Failures come
    /// out as the one-line messages the commands print (exit 1).
    func withQueue<T>(writing: Bool, _ body: (any WebhookQueue) async throws -> T) async throws -> T {
        do {
            if let databaseURL {
                return try await FleetSourceOptions.withFleet(databaseURL, agent: nil) { try await body($0) }
            }
            // Fails with the reader's message when there is no store, instead of creating one.
            let reader = try store.openForReading()
            guard writing else { return try await body(reader) }
            return try await body(try ConflictStore(directory: store.directory, mode: .writer, logger: Logger(label: "conflictwatch.store")))
        } catch let e as StoreError {
            throw RuntimeFailure(e.description)
        }
    }
}
