import Foundation

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
}
