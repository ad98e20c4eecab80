import ArgumentParser

/// `webhooks` inspects the durable webhook outbox (SPEC §8): what was given up, and sending it again.
struct WebhooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Inspect the webhook outbox: given-up and pending deliveries, and retrying given-up ones.",
        subcommands: [WebhooksFailedCommand.self, WebhooksPendingCommand.self, WebhooksRetryCommand.self],
        defaultSubcommand: WebhooksFailedCommand.self
    )
}
