import Foundation

/// What a finished child process left behind.
struct ProcessResult: Sendable {
    /// Exit status, or the signal number when `terminatedBySignal`.
    var status: Int32
    var terminatedBySignal: Bool
    var timedOut: Bool
    var stdout: Data
    var stderr: Data

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// Exited normally with status 0 (and was not killed for running too long).
    var succeeded: Bool { !terminatedBySignal && !timedOut && status == 0 }

    /// One line for failure messages: how it ended plus the tail of stderr.
    var summary: String {
        let how = timedOut ? "timed out" : terminatedBySignal ? "killed by signal \(status)" : "exit \(status)"
        let tail = stderrText.split(separator: "\n").suffix(5).joined(separator: " | ")
        return tail.isEmpty ? how : "\(how); stderr: \(tail)"
    }
}
