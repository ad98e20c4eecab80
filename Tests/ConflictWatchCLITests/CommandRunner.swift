@testable import ConflictWatchCLI

/// One command line run in-process, as the binary runs it: its exit status and what it printed.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CommandRunner {
    static func run(_ arguments: [String]) async -> CommandResult {
        let capture = OutputCapture()
        let status = await OutputCapture.$current.withValue(capture) {
            await ConflictWatch.execute(arguments)
        }
        return CommandResult(status: status, stdout: capture.standardOutput, stderr: capture.standardError)
    }
}
