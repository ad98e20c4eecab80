import Foundation

/// Runs a program to completion and captures its output. stdout and stderr go to temporary
/// files rather than pipes, so a chatty child can never block on a full pipe buffer.
enum ProcessRunner {
    struct LaunchError: Error, CustomStringConvertible {
        let description: String
    }

    static func run(
        _ executable: String, _ arguments: [String], timeout: TimeInterval = 60,
        environment extra: [String: String] = [:]
    ) throws -> ProcessResult {
        let scratch = FileManager.default.temporaryDirectory
        let outURL = scratch.appendingPathComponent("cw-out-\(UUID().uuidString)")
        let errURL = scratch.appendingPathComponent("cw-err-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw LaunchError(description: "cannot create capture files in \(scratch.path)")
        }
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !extra.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        do {
            try process.run()
        } catch {
            try? outHandle.close()
            try? errHandle.close()
            throw LaunchError(description: "cannot run \(executable): \(error)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                process.terminate()
                break
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        return ProcessResult(
            status: process.terminationStatus,
            terminatedBySignal: process.terminationReason == .uncaughtSignal,
            timedOut: timedOut,
            stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: (try? Data(contentsOf: errURL)) ?? Data())
    }
}
