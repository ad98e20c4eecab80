import Foundation
import Testing
@testable import ConflictWatchDaemon

/// Numeric config values have bounds named in the message, and `config check` says which
/// paths do not exist (SPEC §10).
@Suite struct ConfigValidationTests {
    @Test(arguments: [
        ("retention_days: 5000", "config:3: retention_days: expected whole days in 1…3650 (default 30), got 5000"),
        ("retention_days: 0", "retention_days: expected whole days in 1…3650 (default 30), got 0"),
        ("retention_days: 1e12", "got 1e12"),
        ("max_line_length: 100", "config:3: max_line_length: expected bytes in 256…16777216 (default 65536), got 100"),
        ("max_line_length: 99999999999", "max_line_length: expected bytes in 256…16777216 (default 65536), got 99999999999"),
    ])
    func numericBoundsNameKeyValueAndRange(line: String, expected: String) {
        do {
            _ = try DaemonConfig.parse("sources:\n  - path: /a.log\n\(line)\n")
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func theRangesEndsAreAccepted() throws {
        let c = try DaemonConfig.parse("sources:\n  - path: /a.log\nretention_days: 3650\nmax_line_length: 16777216\n")
        #expect(c.retentionDays == 3650 && c.maxLineLength == 16 << 20)
    }

    @Test func pathsThatDoNotExistAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-paths-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/present.log", contents: nil)
        let c = try DaemonConfig.parse("""
            sources:
              - path: \(dir)/present.log
              - path: \(dir)/absent.log
              - path: "\(dir)/*.gone"
              - path: /nonexistent-cw-dir/access.log
            state_dir: /nonexistent-cw-parent/state
            model: \(dir)/model.json
            """)
        let check = ConfigPathCheck(c)
        try #require(check.warnings.map(\.key) == ["sources[1].path", "sources[2].path", "sources[3].path"])
        #expect(check.warnings[0].message.contains("absent.log does not exist yet"))
        #expect(check.warnings[1].message.contains("matches no file yet"))
        #expect(check.warnings[2].message.contains("the directory /nonexistent-cw-dir does not exist"))
        try #require(check.errors.map(\.key) == ["state_dir", "model"])
        #expect(check.errors[0].message.contains("/nonexistent-cw-parent does not exist"))

        let fine = try DaemonConfig.parse("sources:\n  - path: \(dir)/present.log\nstate_dir: \(dir)/state\n")
        #expect(ConfigPathCheck(fine).findings.isEmpty)
    }
}
