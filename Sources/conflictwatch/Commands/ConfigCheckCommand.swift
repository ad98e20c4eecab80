import ArgumentParser
import ConflictWatchDaemon

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a configuration file; errors name the key and its line.",
        discussion: "Example: conflictwatch config check /etc/conflictwatch/config.yaml"
    )

    @Argument(help: ArgumentHelp("The YAML file.", valueName: "file"))
    var file: String

    func run() throws {
        do {
            let c = try DaemonConfig.load(path: file)
            QueryOutput.write("\(file): ok (\(c.sources.count) source\(c.sources.count == 1 ? "" : "s"))\n")
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}
