import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process that runs while the test does other things (a test backend, a load
/// generator). stdout and stderr go to files in the test's temporary directory, so a chatty
/// child never blocks on a pipe. Waiting is `async` and polls, so a long wait does not hold a
/// thread of the test runner's pool. A child still running when this object goes away is killed.
final class BackgroundProcess {
    let name: String
    let stdoutPath: String
    let stderrPath: String
    private let process: Process

    /// Starts `executable arguments…` with its output in `directory`/`name`.stdout / .stderr.
    init(name: String, executable: String, arguments: [String], directory: TemporaryDirectory) throws {
        self.name = name
        stdoutPath = directory.file("\(name).stdout")
        stderrPath = directory.file("\(name).stderr")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    /// Waits up to `timeout` for the child to exit on its own; kills it (SIGKILL) when it does
    /// not. Returns how it ended, with what it wrote.
    func waitForExit(timeout: TimeInterval) async -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        // After SIGKILL, a bounded wait rather than `waitUntilExit`: a CI run hung for good in
        // it on a child that had crashed (a zombie Foundation never reported as ended). Such
        // a child is reported as killed by SIGKILL.
        let killedAt = Date()
        while process.isRunning && Date().timeIntervalSince(killedAt) < 10 {
            try? await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else {
            return ProcessResult(status: SIGKILL, terminatedBySignal: true, timedOut: true,
                                 stdout: (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data(),
                                 stderr: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data())
        }
        return ProcessResult(
            status: process.terminationStatus,
            terminatedBySignal: process.terminationReason == .uncaughtSignal,
            timedOut: timedOut,
            stdout: (try? Data(contentsOf: URL(fileURLWithPath: stdoutPath))) ?? Data(),
            stderr: (try? Data(contentsOf: URL(fileURLWithPath: stderrPath))) ?? Data())
    }

    /// Sends SIGTERM and waits up to `timeout` for the child to exit (SIGKILL after that).
    func terminate(timeout: TimeInterval = 10) async -> ProcessResult {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
        }
        return await waitForExit(timeout: timeout)
    }

    /// The last lines the child wrote to stderr, for failure messages.
    var stderrTail: String {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(8).joined(separator: " | ")
    }

    deinit {
        if process.isRunning {
            // No `waitUntilExit` here either (see `waitForExit`): a short bounded wait.
            kill(process.processIdentifier, SIGKILL)
            let killedAt = Date()
            while process.isRunning && Date().timeIntervalSince(killedAt) < 5 { usleep(20_000) }
        }
    }
}

extension BackgroundProcess {
    /// The port a daemon started with `--listen 127.0.0.1:0` bound, read from its "query API
    /// listening" log line; checked every 50 ms, `attempts` times.
    func apiPort(attempts: Int) async throws -> Int {
        for _ in 0..<attempts {
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            if let line = err.split(separator: "\n").first(where: { $0.contains("query API listening") }),
               let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }),
               let port = Int(field.dropFirst(5)) {
                return port
            }
            if !isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ProcessRunner.LaunchError(description: "the daemon did not start its API: \(stderrTail)")
    }
}
