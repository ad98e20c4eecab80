import ArgumentParser
import ConflictWatchDaemon

struct ConfigExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Print a commented example configuration.",
        discussion: "Example: conflictwatch config example > /etc/conflictwatch/config.yaml"
    )

    func run() throws { QueryOutput.write(ConfigExample.text) }
}
