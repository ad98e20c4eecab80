import ArgumentParser

/// `config example` prints a commented configuration; `config check FILE` validates one.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Write or check a `run --config` file.",
        subcommands: [ConfigExampleCommand.self, ConfigCheckCommand.self]
    )
}
