import Foundation
import Testing

/// Where things are and which switches are set, for the integration tests.
enum TestEnvironment {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The package root, three levels above this file (Tests/IntegrationTests/Support/).
    static func packageRoot(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()   // Support
            .deletingLastPathComponent()   // IntegrationTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // package root
    }

    /// `$CONFLICTWATCH_BIN`, else `<package root>/.build/debug/conflictwatch`.
    static var conflictwatchBinary: String {
        if let bin = environment["CONFLICTWATCH_BIN"], !bin.isEmpty {
            return bin
        }
        return packageRoot().appendingPathComponent(".build/debug/conflictwatch").path
    }

    /// `CONFLICTWATCH_SKIP_NGINX=1` turns the tests that drive a real nginx off.
    static var skipNginx: Bool { environment["CONFLICTWATCH_SKIP_NGINX"] == "1" }

    /// `CONFLICTWATCH_KEEP_TMP=1` keeps the tests' temporary directories for inspection.
    static var keepTemporaryFiles: Bool { environment["CONFLICTWATCH_KEEP_TMP"] == "1" }

    /// The path of a tool a test drives, or nil after recording an issue that says how to get it
    /// (a missing tool fails the test: `make test` installs them).
    static func requireTool(_ name: String, _ hint: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let path = ExecutableLocator.find(name) { return path }
        Issue.record("\(name) is not installed: \(hint)", sourceLocation: sourceLocation)
        return nil
    }

    /// The conflictwatch binary under test, or nil after recording an issue saying how to build it.
    static func requireBinary(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        let binary = conflictwatchBinary
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        Issue.record(
            "conflictwatch binary not found at \(binary): run `swift build` (or `make test`), or point CONFLICTWATCH_BIN at it",
            sourceLocation: sourceLocation)
        return nil
    }
}
