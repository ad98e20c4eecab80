import ArgumentParser
import ConflictWatchDaemon
import Foundation
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The daemon for services: follow the sources of a YAML config into the store.",
        discussion: """
            Same pipeline as `tail`, with every setting in one file (`conflictwatch config
            example` prints a commented one). SIGHUP reads the file again: changed settings
            restart the pipeline from its checkpoints, unchanged ones reopen the files.
            SIGINT/SIGTERM flush, checkpoint and exit 0. See deploy/conflictwatch.service.

            --database-url, --agent and --agent-timeout override the file's
            database_url, agent and agent_timeout_seconds: a fleet can share one
            config and name each host in its service unit (docs/fleet.md).

            Examples:
              conflictwatch run --config /etc/conflictwatch/config.yaml
              conflictwatch run --config /etc/conflictwatch/config.yaml --agent web3
            """
    )

    @Option(name: .long, help: ArgumentHelp("The YAML configuration file.", valueName: "file"))
    var config: String

    @OptionGroup var fleet: FleetAgentOptions

    func validate() throws {
        try fleet.check(urlElsewhere: true)
        guard FileManager.default.isReadableFile(atPath: config) else {
            throw ValidationError("--config \(config): no readable file there; `conflictwatch config example > \(config)` writes one to start from")
        }
    }

    func run() async throws {
        let path = config, fleet = self.fleet
        let (settings, file) = try Self.settings(from: path, fleet: fleet)
        if Logger.Level(rawValue: file.logLevel).map({ $0 <= .warning }) ?? true {
            for w in ConfigPathCheck(file).warnings { Terminal.printError("conflictwatch: \(path): \(w.description)") }
        }
        try await DaemonLauncher.run(settings, logLevel: Logger.Level(rawValue: file.logLevel) ?? .info) {
            try Self.settings(from: path, fleet: fleet).0
        }
    }

    /// The daemon's settings from the file; its refusals as the usage errors they are (exit 2).
    static func settings(from path: String, fleet: FleetAgentOptions? = nil) throws -> (DaemonSettings, DaemonConfig) {
        do {
            var (settings, file) = try DaemonSettings.load(configPath: path)
            try fleet?.apply(to: &settings.fleet)
            return (settings, file)
        } catch let error as ConfigLoadError {
            switch error {
            case .invalid(let message): throw UsageFailure(message)
            case .listen(let message): throw ValidationError(message)
            }
        }
    }
}
