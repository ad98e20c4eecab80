import ArgumentParser
import ConflictWatchCore
import ConflictWatchStore
import Logging

/// `webhooks retry`: given-up deliveries back into the outbox.
struct WebhooksRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue given-up webhook deliveries again (all, or the listed event ids).",
        discussion: """
            The running daemon sends them within a second, with a fresh day before they
            are given up again; without a daemon, the next start sends them. A delivery
            whose receiver is no longer configured is given up again at the next start.

            Examples:
              conflictwatch webhooks retry --all
              conflictwatch webhooks retry 'burst-20251124T160500Z-d52cbe/2-closed' \\
                --state-dir /var/lib/conflictwatch
            """
    )

    @OptionGroup var store: StoreOptions

    @Flag(name: .long, help: "Every given-up delivery.")
    var all = false

    @Argument(help: ArgumentHelp("Event ids, as `webhooks failed` lists them.", valueName: "event-id"))
    var eventIDs: [String] = []

    func validate() throws {
        if all == !eventIDs.isEmpty {
            throw ValidationError("give the event ids to retry (see `conflictwatch webhooks failed`), or --all")
        }
    }

    func run() throws {
        do {
            // Fails with the reader's message when there is no store, instead of creating one.
            _ = try store.openForReading()
            let writer = try ConflictStore(directory: store.directory, mode: .writer, logger: Logger(label: "conflictwatch.store"))
            let n = try writer.retryGivenUpWebhooks(eventIDs: all ? nil : eventIDs, now: CivilTime.nowMicros())
            QueryOutput.write("\(n) webhook deliver\(n == 1 ? "y" : "ies") queued again.\n")
        } catch let e as StoreError {
            throw RuntimeFailure(e.description)
        }
    }
}
