import ArgumentParser

/// `--format` of `webhooks failed|pending`.
enum WebhooksFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}
