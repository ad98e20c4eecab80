import ArgumentParser
import ConflictWatchStore

/// What `webhooks failed` and `webhooks pending` share: the outbox, a limit, a format, and the
/// listing of one delivery state.
struct WebhookListOptions: ParsableArguments {
    @OptionGroup var source: WebhookSourceOptions

    @Option(name: .long, help: "At most this many deliveries (oldest first).")
    var limit: Int?

    @Option(name: .long, help: "table or json.")
    var format: WebhooksFormat = .table

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// Prints the deliveries in `state`, or `none` when there are none.
    func list(_ state: WebhookDelivery.State, none: String) async throws {
        let limit = self.limit
        let rows = try await source.withQueue(writing: false) { try await $0.webhookDeliveries(state: state, limit: limit) }
        QueryOutput.write(try WebhookDeliveryOutput.render(rows, format: format, none: none))
    }
}
