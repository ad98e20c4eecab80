import ConflictWatchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The commands' diagnostics on stderr, through `OutputSink` (so tests capture them too).
enum Terminal {
    /// A captured stderr is no terminal: no progress bar in the tests.
    static var stderrIsTTY: Bool { OutputCapture.current == nil && isatty(2) == 1 }

    /// Diagnostics quote file names, log lines and server answers: their control characters
    /// are escaped like those of tables (the progress bar's own escapes go through `writeRaw`).
    static func printError(_ s: String) {
        var sink = OutputSink(fd: 2)
        sink.write(TerminalText.escapeLines(s) + "\n")
        sink.flush()
    }

    /// Bytes as they are: the progress bar's escapes, ArgumentParser's messages.
    static func writeRaw(_ s: String) {
        var sink = OutputSink(fd: 2)
        sink.write(s)
        sink.flush()
    }
}
