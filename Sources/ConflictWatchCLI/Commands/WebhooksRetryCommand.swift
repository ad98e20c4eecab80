import ArgumentParser
import ConflictWatchCore
import ConflictWatchStore

/// `webhooks retry`: given-up deliveries back into the outbox.
struct WebhooksRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue given-up webhook deliveries again (all, or the listed event ids).",
        discussion: """
            The running daemon sends them within a second, with a fresh day before they
            are given up again; without a daemon, the next start sends them. A delivery
            whose receiver is no longer configured is given up again at the next start.
            With --database-url, the fleet's: the agent holding the aggregator role sends them.

            Examples:
              conflictwatch webhooks retry --all
              conflictwatch webhooks retry 'burst-20251124T160500Z-d52cbe/2-closed' \\
                --state-dir /var/lib/conflictwatch
              conflictwatch webhooks retry --all \\
                --database-url postgres://conflictwatch@db/conflictwatch
            """
    )

    @OptionGroup var source: WebhookSourceOptions

    @Flag(name: .long, help: "Every given-up delivery.")
    var all = false

    @Argument(help: ArgumentHelp("Event ids, as `webhooks failed` lists them.", valueName: "event-id"))
    var eventIDs: [String] = []

    func validate() throws {
        if all == !eventIDs.isEmpty {
            throw ValidationError("give the event ids to retry (see `conflictwatch webhooks failed`), or --all")
        }
    }

    func run() async throws {
        let ids = all ? nil : eventIDs
        let n = try await source.withQueue(writing: true) { try await $0.retryGivenUpWebhooks(eventIDs: ids, now: CivilTime.nowMicros()) }
        QueryOutput.write("\(n) webhook deliver\(n == 1 ? "y" : "ies") queued again.\n")
    }
}
