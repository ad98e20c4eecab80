import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore
import Foundation

extension DaemonSettings {
    /// `run --config`: reads the file and turns it into daemon settings (also on SIGHUP), with
    /// the file itself for what the settings do not carry (the log level, the path warnings).
    public static func load(configPath path: String) throws(ConfigLoadError) -> (DaemonSettings, DaemonConfig) {
        // A config that does not hold is a usage error (exit 2, SPEC §10), naming the key.
        let file: DaemonConfig
        do {
            file = try DaemonConfig.load(path: path)
        } catch {
            throw .invalid("bad configuration: \(error.description)")
        }
        if let error = ConfigPathCheck(file).errors.first {
            throw .invalid("bad configuration: \(path): \(error.key): \(error.message)")
        }
        var parameters = ModelParameters()
        if let model = file.model {
            do {
                parameters = try ModelParameters.load(contentsOf: URL(fileURLWithPath: model))
            } catch {
                throw .invalid("bad configuration: \(path): model: \(error.description)")
            }
        }
        if let openapi = file.openapi {
            do {
                parameters.routes.templates = try OpenAPIRoutes.merged(parameters.routes.templates, document: openapi)
            } catch {
                throw .invalid("bad configuration: \(path): openapi: \(error.description)")
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
        if let text = file.databaseURL ?? FleetSettings.urlFromEnvironment() {
            do {
                settings.fleet = try FleetSettings(urlText: text, agent: file.agent, timeoutSeconds: file.agentTimeoutSeconds)
            } catch {
                throw .invalid("bad configuration: \(path): database_url: \(error.description)")
            }
        }
        if let listen = file.listen {
            do {
                settings.listen = try QueryServerConfiguration.parse(
                    listen: listen, apiToken: file.apiToken ?? QueryServerConfiguration.tokenFromEnvironment(), limits: file.apiLimits)
            } catch {
                // SPEC §9: refuse to start, exit 2, saying why.
                throw .listen("\(path): listen: \(error.description)")
            }
        }
        return (settings, file)
    }
}
