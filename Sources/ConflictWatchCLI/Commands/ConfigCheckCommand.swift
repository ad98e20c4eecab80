import ArgumentParser
import ConflictWatchCore
import ConflictWatchDaemon
import ConflictWatchServer

struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a configuration file; errors name the key and its line.",
        discussion: """
            Also checks the paths: a source that matches no file yet is a warning (the
            daemon follows it once it appears); a missing model file or a state_dir whose
            parent does not exist is an error (exit 2).

            Example: conflictwatch config check /etc/conflictwatch/config.yaml
            """
    )

    @Argument(help: ArgumentHelp("The YAML file.", valueName: "file"))
    var file: String

    func run() throws {
        // The same reading `run` does: the model file and the listen address are checked too.
        let (settings, _) = try RunCommand.settings(from: file)
        var parts = ["\(settings.sources.count) source\(settings.sources.count == 1 ? "" : "s")"]
        if !settings.interfaces.isEmpty {
            parts.append("\(settings.interfaces.count) interface\(settings.interfaces.count == 1 ? "" : "s")")
        }
        if let listen = settings.listen {
            parts.append("API on \(listen.address)\(listen.apiToken == nil ? "" : " with a token")")
        }
        if !settings.webhooks.isEmpty {
            parts.append("\(settings.webhooks.count) webhook\(settings.webhooks.count == 1 ? "" : "s")")
        }
        let warnings = ConfigPathCheck(try DaemonConfig.load(path: file)).warnings
        var out = ""
        for w in warnings { out += "\(file): \(TerminalText.escape(w.description))\n" }
        let verdict = warnings.isEmpty ? "ok" : "ok with \(warnings.count) warning\(warnings.count == 1 ? "" : "s")"
        out += "\(file): \(verdict) (\(parts.joined(separator: ", ")))\n"
        QueryOutput.write(out)
    }
}
