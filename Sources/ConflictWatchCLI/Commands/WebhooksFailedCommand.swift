import ArgumentParser
import ConflictWatchStore

/// `webhooks failed`: the deliveries the daemon gave up on, oldest first.
struct WebhooksFailedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failed",
        abstract: "List webhook deliveries given up (the default of `webhooks`).",
        discussion: """
            A delivery is given up when its receiver answered 4xx (other than 408, 425,
            429), when it was still failing a day after the event, or when its receiver
            was removed from the configuration. Given-up deliveries are kept for the
            store's retention (default 30 days); `conflictwatch webhooks retry` queues
            them again. Safe while the daemon runs.

            Examples:
              conflictwatch webhooks failed --state-dir /var/lib/conflictwatch
              conflictwatch webhooks failed --format json
              conflictwatch webhooks failed \\
                --database-url postgres://conflictwatch@db/conflictwatch
            """
    )

    @OptionGroup var options: WebhookListOptions

    func run() async throws {
        try await options.list(.givenUp, none: "No webhook deliveries given up.\n")
    }
}
