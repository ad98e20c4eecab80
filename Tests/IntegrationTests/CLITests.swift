import Foundation
import Testing

/// Runs the real `conflictwatch` binary on fixture files and checks what a user sees:
/// JSON documents, exit codes, messages.
@Suite struct CLITests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    /// Tests/Fixtures, found from this file (Tests/IntegrationTests/CLITests.swift).
    var fixture: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/mixed-formats.log").path
    }

    func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: r.stdout) as? [String: Any], "stdout: \(r.stdoutText.prefix(300))")
    }

    @Test func analyzeJSONSummaryAndRoutes() throws {
        let r = try ProcessRunner.run(bin, ["analyze", "--format", "json", fixture])
        #expect(r.succeeded, "\(r.summary)")
        let doc = try json(r)
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["lines"] as? Int == 9)
        #expect(summary["exchanges"] as? Int == 7)
        #expect(summary["malformed"] as? Int == 1)
        #expect(summary["writes"] as? Int == 5)
        #expect(summary["conflicts"] as? Int == 3)
        #expect(summary["first_time"] as? String == "2026-11-24T09:00:00.000000Z")
        #expect(summary["last_time"] as? String == "2026-11-24T09:00:06.000000Z")
        for key in ["seconds", "lines_per_second"] { #expect(summary[key] is Double || summary[key] is Int, "\(key)") }
        let sources = try #require(summary["sources"] as? [[String: Any]])
        let samples = try #require(sources.first?["samples"] as? [[String: Any]])
        #expect(samples.first?["line"] as? Int == 7)
        #expect(doc["alerts"] is [Any])
        #expect(doc["hotspots"] is [Any])

        let routes = try #require(doc["routes"] as? [[String: Any]])
        #expect(routes.map { $0["route"] as? String } == ["/api/orders/{id}", "/api/users/{uuid}/cart", "/api/orders", "{invalid}"])
        let orders = routes[0]
        #expect(orders["requests"] as? Int == 4)
        #expect(orders["writes"] as? Int == 3)
        #expect(orders["conflicts"] as? Int == 2)
        #expect(orders["writers"] as? Int == 3)
        #expect(orders["resources"] as? Int == 2)
        #expect(orders["statuses"] as? [String: Int] == ["200": 2, "409": 1, "412": 1])
        #expect(orders["p50_ms"] as? Double == 20)
        for key in ["route", "requests", "writes", "conflicts", "statuses", "conflict_ratio", "writers", "resources", "p50_ms", "p99_ms"] {
            #expect(orders.keys.contains(key), "route row lacks \(key)")
        }
    }

    @Test func parseEmitsSpecFieldsAndDropsQueries() throws {
        let r = try ProcessRunner.run(bin, ["parse", fixture])
        #expect(r.succeeded, "\(r.summary)")
        let rows = try r.stdoutText.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(rows.count == 7)
        let keys: Set = ["time", "client", "method", "host", "path", "query", "route", "status", "bytes", "latency_ms", "user_agent", "request_id", "source"]
        for row in rows { #expect(Set(row.keys) == keys) }
        #expect(rows[2]["host"] as? String == "api.example.com")
        #expect(rows[2]["query"] is NSNull)
        #expect(rows[3]["client"] as? String == "2001:db8::9")
        #expect(rows[3]["bytes"] is NSNull)
        #expect((rows[5]["source"] as? String)?.hasSuffix("mixed-formats.log:8") == true)
        #expect((rows[6]["source"] as? String)?.hasSuffix("mixed-formats.log:9") == true)
        #expect(r.stderrText.contains("line 7"))

        let kept = try ProcessRunner.run(bin, ["parse", "--keep-query", "--quiet", fixture])
        #expect(kept.stdoutText.contains(#""query":"dry=1""#))
        #expect(kept.stderrText.isEmpty)
    }

    @Test func strictExitsThreeOnMalformedLines() throws {
        let r = try ProcessRunner.run(bin, ["analyze", "--strict", "--quiet", fixture])
        #expect(!r.terminatedBySignal && r.status == 3, "\(r.summary)")
        let p = try ProcessRunner.run(bin, ["parse", "--strict", "--quiet", fixture])
        #expect(p.status == 3)
        let ok = try ProcessRunner.run(bin, ["analyze", "--quiet", fixture])
        #expect(ok.status == 0)
    }

    @Test func usageErrorsExitTwoAndSayWhatToDo() throws {
        let r = try ProcessRunner.run(bin, ["analyze", "--log-format", "bogus", fixture])
        #expect(r.status == 2)
        #expect(r.stderrText.contains("log_format"))
        let bad = try ProcessRunner.run(bin, ["analyze", "--log-format", "[$time_local] $status", fixture])
        #expect(bad.status == 2)
        #expect(bad.stderrText.contains("$request"))
        let none = try ProcessRunner.run(bin, ["parse"])
        #expect(none.status == 2)
    }

    /// `--openapi`: the document's templates change how paths group into routes; a bad
    /// document is a usage error naming the file.
    @Test func openAPITemplatesGroupRoutes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-openapi-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var log = ""
        for (i, project) in ["alpha", "beta", "gamma"].enumerated() {
            log += "10.0.0.\(i + 1) - - [24/Nov/2026:10:00:0\(i) +0000] \"PUT /v2/projects/\(project)/settings HTTP/1.1\" \(i == 0 ? 200 : 409) 1 \"-\" \"x\"\n"
        }
        try log.write(toFile: dir + "/access.log", atomically: true, encoding: .utf8)
        try """
            openapi: 3.0.3
            servers: [{url: "https://api.example.com/v2"}]
            paths:
              /projects/{projectKey}/settings: {}
            """.write(toFile: dir + "/api.yaml", atomically: true, encoding: .utf8)
        func routes(_ extra: [String]) throws -> [String: Int] {
            let r = try ProcessRunner.run(bin, ["analyze", "--format", "json", "--log-format", "combined"] + extra + [dir + "/access.log"])
            #expect(r.succeeded, "\(r.summary)")
            let rows = try #require(try json(r)["routes"] as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["route"] as? String ?? "", $0["conflicts"] as? Int ?? -1) })
        }
        // Without the document each project name is its own route (words are not identifiers).
        #expect(try routes([]) == ["/v2/projects/alpha/settings": 0, "/v2/projects/beta/settings": 1, "/v2/projects/gamma/settings": 1])
        #expect(try routes(["--openapi", dir + "/api.yaml"]) == ["/v2/projects/{projectKey}/settings": 2])

        try "openapi: 3.0.3\npaths: [unclosed\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try ProcessRunner.run(bin, ["analyze", "--openapi", dir + "/bad.yaml", dir + "/access.log"])
        #expect(bad.status == 2, "\(bad.summary)")
        #expect(bad.stderrText.contains("--openapi \(dir)/bad.yaml: not JSON or YAML"), "\(bad.stderrText)")
        let missing = try ProcessRunner.run(bin, ["analyze", "--openapi", dir + "/none.yaml", dir + "/access.log"])
        #expect(missing.status == 2 && missing.stderrText.contains("\(dir)/none.yaml"), "\(missing.summary)")

        // The daemon's config: `openapi:` is read by `config check` as `run` reads it.
        let config = dir + "/config.yaml"
        try "sources:\n  - path: \(dir)/access.log\nstate_dir: \(dir)/state\nopenapi: \(dir)/api.yaml\n".write(toFile: config, atomically: true, encoding: .utf8)
        let ok = try ProcessRunner.run(bin, ["config", "check", config])
        #expect(ok.status == 0, "\(ok.summary)")
        try "sources:\n  - path: \(dir)/access.log\nstate_dir: \(dir)/state\nopenapi: \(dir)/bad.yaml\n".write(toFile: config, atomically: true, encoding: .utf8)
        let badConfig = try ProcessRunner.run(bin, ["config", "check", config])
        #expect(badConfig.status == 2 && badConfig.stderrText.contains("openapi: \(dir)/bad.yaml: not JSON or YAML"), "\(badConfig.summary)")
    }

    @Test func missingFileFailsButOtherFilesStillCount() throws {
        let r = try ProcessRunner.run(bin, ["analyze", "--format", "json", "/nonexistent/access.log", fixture])
        #expect(r.status == 1)
        #expect(r.stderrText.contains("/nonexistent/access.log"))
        let doc = try json(r)
        #expect((doc["summary"] as? [String: Any])?["exchanges"] as? Int == 7)
    }

    @Test func stdinAndGzipInputs() throws {
        let dir = try TemporaryDirectory(prefix: "cw-cli")
        defer { dir.remove() }
        let gz = dir.file("access.log.gz")
        let zipped = try ProcessRunner.run("/bin/sh", ["-c", "gzip -c '\(fixture)' > '\(gz)'"])
        #expect(zipped.succeeded)
        let fromGzip = try ProcessRunner.run(bin, ["parse", "--quiet", gz])
        let plain = try ProcessRunner.run(bin, ["parse", "--quiet", fixture])
        // Same exchanges; only the source names differ.
        let strip: (String) -> [String] = {
            $0.split(separator: "\n").map { $0.replacingOccurrences(of: #""source":"[^"]*""#, with: "", options: .regularExpression) }
        }
        #expect(strip(fromGzip.stdoutText) == strip(plain.stdoutText))
        let piped = try ProcessRunner.run("/bin/sh", ["-c", "cat '\(fixture)' | '\(bin)' parse --quiet -"])
        #expect(piped.succeeded)
        #expect(piped.stdoutText.split(separator: "\n").count == 7)
        #expect(piped.stdoutText.contains(#""source":"stdin:1""#))
    }

    @Test func demoRunsTheWholePipeline() throws {
        let r = try ProcessRunner.run(bin, ["demo"], timeout: 120)
        #expect(r.succeeded, "\(r.summary)")
        #expect(r.stdoutText.contains("/api/orders/{id}"))
        #expect(r.stdoutText.contains("How to go on"))
        // The alerts it printed are in the embedded store it names.
        let stateDir = try #require(r.stdoutText.split(separator: " ").first { $0.hasSuffix("/state") }.map(String.init))
        defer { try? FileManager.default.removeItem(atPath: (stateDir as NSString).deletingLastPathComponent) }
        let stored = try ProcessRunner.run(bin, ["alerts", "--state-dir", stateDir, "--format", "json"])
        #expect(stored.succeeded, "\(stored.summary)")
        let alerts = try #require(JSONSerialization.jsonObject(with: stored.stdout) as? [[String: Any]])
        #expect(alerts.contains { $0["kind"] as? String == "burst" && $0["route"] as? String == "/api/orders/{id}" })
    }
}
