import ArgumentParser
import ConflictWatchStore

/// `webhooks pending`: what the outbox still owes its receivers.
struct WebhooksPendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List webhook deliveries not yet accepted by their receiver, oldest first.",
        discussion: """
            Each alert event is written to the outbox with the alert change and deleted
            once its receiver answered 2xx; these are the ones still owed (being retried,
            or left by a stopped daemon for its next start). Safe while the daemon runs.
            """
    )

    @OptionGroup var options: WebhookListOptions

    func run() async throws {
        try await options.list(.pending, none: "No webhook deliveries pending.\n")
    }
}
