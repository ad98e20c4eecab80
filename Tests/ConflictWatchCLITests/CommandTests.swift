import Foundation
import Testing

/// The commands run in-process through `ConflictWatch.execute`, the binary's own entry point,
/// with stdout and stderr captured: what a user sees, without spawning the binary.
@Suite struct CommandTests {
    /// Tests/Fixtures, found from this file.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mixed-formats.log").path

    func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func jsonObject(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    @Test func analyzeJSON() async throws {
        let r = await CommandRunner.run(["analyze", "--format", "json", "--quiet", Self.fixture])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try jsonObject(r.stdout) as? [String: Any])
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["lines"] as? Int == 9)
        #expect(summary["exchanges"] as? Int == 7)
        #expect(summary["malformed"] as? Int == 1)
        #expect(summary["writes"] as? Int == 5)
        #expect(summary["conflicts"] as? Int == 3)
        let routes = try #require(doc["routes"] as? [[String: Any]])
        #expect(routes.map { $0["route"] as? String } == ["/api/orders/{id}", "/api/users/{uuid}/cart", "/api/orders", "{invalid}"])
        #expect(routes[0]["conflicts"] as? Int == 2)
        #expect(routes[0]["statuses"] as? [String: Int] == ["200": 2, "409": 1, "412": 1])
        #expect(r.stderr.isEmpty)
    }

    @Test func analyzeTable() async throws {
        let r = await CommandRunner.run(["analyze", "--quiet", Self.fixture])
        #expect(r.status == 0, "\(r.stderr)")
        let orders = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("/api/orders/{id}") })
        let cells = orders.split(separator: " ").map(String.init)
        // route, requests, writes, conflicts: the JSON's 4, 3, 2.
        #expect(Array(cells.prefix(4)) == ["/api/orders/{id}", "4", "3", "2"], "\(orders)")
    }

    @Test func parsePrintsOneJSONLinePerExchange() async throws {
        let r = await CommandRunner.run(["parse", Self.fixture])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try r.stdout.split(separator: "\n").map { try #require(try jsonObject(String($0)) as? [String: Any]) }
        #expect(rows.count == 7)
        #expect(rows[3]["client"] as? String == "2001:db8::9")
        #expect(rows[2]["query"] is NSNull)
        #expect((rows[6]["source"] as? String)?.hasSuffix("mixed-formats.log:9") == true)
        // The malformed line is sampled on stderr.
        #expect(r.stderr.contains("line 7"), "\(r.stderr)")
    }

    @Test func routesAndAlertsReadWhatAnalyzeStored() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let stored = await CommandRunner.run(["analyze", "--quiet", "--state-dir", dir, "--format", "json", Self.fixture])
        #expect(stored.status == 0, "\(stored.stderr)")

        let routes = await CommandRunner.run(["routes", "--state-dir", dir, "--format", "json"])
        #expect(routes.status == 0, "\(routes.stderr)")
        let rows = try #require(try jsonObject(routes.stdout) as? [[String: Any]])
        let orders = try #require(rows.first { $0["route"] as? String == "/api/orders/{id}" }, "\(routes.stdout)")
        #expect(orders["conflicts"] as? Int == 2)

        let alerts = await CommandRunner.run(["alerts", "list", "--state-dir", dir, "--format", "json"])
        #expect(alerts.status == 0, "\(alerts.stderr)")
        let analyzed = try #require(try jsonObject(stored.stdout) as? [String: Any])
        let expected = try #require(analyzed["alerts"] as? [Any])
        #expect((try jsonObject(alerts.stdout) as? [Any])?.count == expected.count, "\(alerts.stdout)")
    }

    @Test func configCheckNamesTheBadKey() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/config.yaml"
        try "sources:\n  - path: /var/log/nginx/access.log\nretention_days: 0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let r = await CommandRunner.run(["config", "check", config])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: bad configuration: "), "\(r.stderr)")
        #expect(r.stderr.contains("retention_days"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func usageErrorsExitTwo() async {
        let bogus = await CommandRunner.run(["analyze", "--log-format", "bogus", Self.fixture])
        #expect(bogus.status == 2)
        #expect(bogus.stderr.contains("log_format"), "\(bogus.stderr)")
        let none = await CommandRunner.run(["parse"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("Usage: conflictwatch parse"), "\(none.stderr)")
        let unknown = await CommandRunner.run(["analyze", "--no-such-flag", Self.fixture])
        #expect(unknown.status == 2, "\(unknown.stderr)")
    }

    @Test func strictExitsThreeOnMalformedLines() async {
        let r = await CommandRunner.run(["analyze", "--strict", "--quiet", Self.fixture])
        #expect(r.status == 3)
        #expect(r.stderr == "conflictwatch: 1 malformed lines (--strict)\n")
        let parse = await CommandRunner.run(["parse", "--strict", "--quiet", Self.fixture])
        #expect(parse.status == 3)
    }

    @Test func aMissingFileIsARuntimeFailure() async {
        let r = await CommandRunner.run(["analyze", "--quiet", "/nonexistent/access.log"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("/nonexistent/access.log"), "\(r.stderr)")
    }

    @Test func helpGoesToStdout() async {
        let r = await CommandRunner.run(["analyze", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: conflictwatch analyze"), "\(r.stdout.prefix(200))")
        #expect(r.stderr.isEmpty)
    }
}
