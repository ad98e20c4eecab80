import ArgumentParser
import ConflictWatchCapture
import ConflictWatchCore

/// The root command. The binary's `main` is `ConflictWatch.execute` with its arguments.
public struct ConflictWatch: AsyncParsableCommand {
    static let version = BuildInfo.version

    public static let configuration = CommandConfiguration(
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

    public init() {}

    /// Parses one command line (without the program name) and runs it; the exit status.
    /// `main` and the in-process tests both come through here, so the tests see the exit codes
    /// the binary has. ArgumentParser's usage errors exit 64; SPEC §2 promises 2.
    public static func execute(_ arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return ExitCode.success.rawValue
        } catch let e as UsageFailure {
            Terminal.printError("Error: \(TerminalText.escape(e.description))")
            return 2
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                Terminal.printError(fullMessage(for: error))
                return 2
            }
            // What `exit(withError:)` prints: help and the like on stdout, errors on stderr.
            let text = fullMessage(for: error)
            if !text.isEmpty {
                if code == .success {
                    var out = OutputSink(fd: 1)
                    out.write(text + "\n")
                    out.flush()
                } else {
                    Terminal.writeRaw(text + "\n")
                }
            }
            return code.rawValue
        }
    }
}
