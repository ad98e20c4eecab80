import ArgumentParser
import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchDaemon
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Logging

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The daemon for services: follow the sources of a YAML config into the store.",
        discussion: """
            Same pipeline as `tail`, with every setting in one file (`conflictwatch config
            example` prints a commented one). SIGHUP reads the file again: changed settings
            restart the pipeline from its checkpoints, unchanged ones reopen the files.
            SIGINT/SIGTERM flush, checkpoint and exit 0. See deploy/conflictwatch.service.

            Example:
              conflictwatch run --config /etc/conflictwatch/config.yaml
            """
    )

    @Option(name: .long, help: ArgumentHelp("The YAML configuration file.", valueName: "file"))
    var config: String

    func validate() throws {
        guard FileManager.default.isReadableFile(atPath: config) else {
            throw ValidationError("--config \(config): no readable file there; `conflictwatch config example > \(config)` writes one to start from")
        }
    }

    func run() throws {
        let path = config
        let (settings, file) = try Self.settings(from: path)
        if Logger.Level(rawValue: file.logLevel).map({ $0 <= .warning }) ?? true {
            for w in ConfigPathCheck(file).warnings { Terminal.printError("conflictwatch: \(path): \(w.description)") }
        }
        try DaemonLauncher.run(settings, logLevel: Logger.Level(rawValue: file.logLevel) ?? .info) {
            try Self.settings(from: path).0
        }
    }

    /// Reads the file and turns it into daemon settings (also on SIGHUP).
    static func settings(from path: String) throws -> (DaemonSettings, DaemonConfig) {
        // A config that does not hold is a usage error (exit 2, SPEC §10), naming the key.
        let file: DaemonConfig
        do {
            file = try DaemonConfig.load(path: path)
        } catch {
            throw UsageFailure("bad configuration: \(error.description)")
        }
        if let error = ConfigPathCheck(file).errors.first {
            throw UsageFailure("bad configuration: \(path): \(error.key): \(error.message)")
        }
        var parameters = ModelParameters()
        if let model = file.model {
            do {
                parameters = try ModelParameters.load(contentsOf: URL(fileURLWithPath: model))
            } catch {
                throw UsageFailure("bad configuration: \(path): model: \(error.description)")
            }
        }
        if let openapi = file.openapi {
            do {
                parameters.routes.templates = try OpenAPIRoutes.merged(parameters.routes.templates, document: openapi)
            } catch {
                throw UsageFailure("bad configuration: \(path): openapi: \(error.description)")
            }
        }
        var sources: [DaemonSettings.Source] = []
        for s in file.sources {
            sources.append(.init(pattern: s.path, format: (try? LogFormat(argument: s.format)) ?? .auto))
        }
        var settings = DaemonSettings(sources: sources, parameters: parameters,
                                      stateDirectory: file.stateDirectory ?? StateDirectory.defaultPath())
        settings.fromStart = file.fromStart
        settings.maxLineLength = file.maxLineLength
        settings.retentionDays = file.retentionDays
        settings.webhooks = file.webhooks
        settings.interfaces = file.interfaces
        if let listen = file.listen {
            do {
                settings.listen = try QueryServerConfiguration.parse(
                    listen: listen, apiToken: file.apiToken ?? QueryServerConfiguration.tokenFromEnvironment(), limits: file.apiLimits)
            } catch {
                // SPEC §9: refuse to start, exit 2, saying why.
                throw ValidationError("\(path): listen: \(error.description)")
            }
        }
        return (settings, file)
    }
}
