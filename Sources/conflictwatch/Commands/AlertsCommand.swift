import ArgumentParser

/// `alerts` lists stored alerts (the default) or shows one with `alerts show ID`.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Query the alerts in the store.",
        subcommands: [AlertsListCommand.self, AlertsShowCommand.self],
        defaultSubcommand: AlertsListCommand.self
    )
}
