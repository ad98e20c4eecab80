import ArgumentParser
import ConflictWatchCapture
import ConflictWatchCore
import Foundation

@main
struct ConflictWatch: ParsableCommand {
    static let version = BuildInfo.version

    static let configuration = CommandConfiguration(
        commandName: "conflictwatch",
        abstract: "Find where an API's write conflicts (409/412/423) come from, from access logs or packets.",
        discussion: """
            Start with `conflictwatch demo`. Offline: `conflictwatch analyze access.log`.
            Exit codes: 0 success, 1 runtime failure, 2 usage error, 3 input failed
            --strict checks.
            """,
        version: "conflictwatch \(version) (\(PcapLibrary.version))",
        subcommands: [DemoCommand.self, AnalyzeCommand.self, ParseCommand.self, TrainCommand.self, SimulateCommand.self, EvaluateCommand.self, CaptureCommand.self, TailCommand.self, AlertsCommand.self, SilenceCommand.self, HotspotsCommand.self, RoutesCommand.self, ReportCommand.self, RunCommand.self, ConfigCommand.self, WebhooksCommand.self]
    )

    /// ArgumentParser's usage errors exit 64; SPEC §2 promises 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as UsageFailure {
            Terminal.printError("Error: \(TerminalText.escape(e.description))")
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.printError(fullMessage(for: error))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
