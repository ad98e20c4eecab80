import ArgumentParser
import ConflictWatchStore

/// `webhooks pending`: what the outbox still owes its receivers.
struct WebhooksPendingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List webhook deliveries not yet accepted by their receiver, oldest first.",
        discussion: """
            Each alert event is written to the outbox with the alert change and deleted once its
            receiver answered 2xx; these are the ones still owed (being retried, or left by a
            stopped daemon for its next start). Safe while the daemon runs.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "At most this many deliveries (oldest first).")
    var limit: Int?

    @Option(name: .long, help: "table or json.")
    var format: WebhooksFormat = .table

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let rows: [WebhookDelivery]
        do {
            rows = try store.openForReading().webhookDeliveries(state: .pending, limit: limit)
        } catch let e as StoreError {
            throw RuntimeFailure(e.description)
        }
        QueryOutput.write(try WebhookDeliveryOutput.render(rows, format: format, none: "No webhook deliveries pending.\n"))
    }
}
