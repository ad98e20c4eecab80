import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon's query API (SPEC §9), asked with curl and with `--server`: the same JSON as
/// the store's queries, metrics that add up, a new line visible within 1 s, and the token rules.
@Suite(.serialized) struct DaemonAPITests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    let daemonTests = DaemonTests()

    /// Starts `tail` with `--listen 127.0.0.1:0` (any free port) and returns it with its port,
    /// read from its "query API listening" log line.
    func startServing(_ tmp: TemporaryDirectory, log: String, extra: [String] = []) async throws -> (BackgroundProcess, Int) {
        let p = try BackgroundProcess(
            name: "daemon", executable: bin,
            arguments: ["tail", "--state-dir", tmp.file("state"), "--log-format", "combined", "--from-start"] + extra + [log],
            directory: tmp)
        return (p, try await p.apiPort(attempts: 200))
    }

    /// GET with curl: status and body.
    func get(_ url: String, token: String? = nil) throws -> (Int, Data) {
        var args = ["--silent", "--show-error", "--max-time", "10", "--write-out", "\n%{http_code}"]
        if let token { args += ["--header", "Authorization: Bearer \(token)"] }
        let r = try ProcessRunner.run(TestEnvironment.requireTool("curl", "curl asks the API") ?? "/usr/bin/curl", args + [url], timeout: 20)
        let text = r.stdoutText
        guard r.succeeded, let nl = text.lastIndex(of: "\n"), let code = Int(text[text.index(after: nl)...]) else { return (-1, Data()) }
        return (code, Data(text[..<nl].utf8))
    }

    func json(_ data: Data) -> NSObject? {
        try? JSONSerialization.jsonObject(with: data) as? NSObject
    }

    func query(_ tmp: TemporaryDirectory, _ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(bin, args + ["--state-dir", tmp.file("state"), "--format", "json"], timeout: 20)
    }

    @Test func apiAnswersAsTheStoreDoesAndSeesANewLineWithinASecond() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-api")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        let text = daemonTests.traffic(start: t0, seconds: 600) + daemonTests.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)
            + daemonTests.traffic(start: t0.addingTimeInterval(640), seconds: 120)
        let lines = text.split(separator: "\n").count
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))
        let (daemon, port) = try await startServing(tmp, log: log, extra: ["--listen", "127.0.0.1:0"])
        let base = "http://127.0.0.1:\(port)"
        #expect(try await daemonTests.waitForStored(tmp, lines) == lines, "\(daemon.stderrTail)")
        try await Task.sleep(for: .milliseconds(600))  // the last flush's hot spots

        // The same JSON as the store's queries.
        for (path, args) in [("/api/v1/routes", ["routes"]), ("/api/v1/alerts?kind=burst", ["alerts", "--kind", "burst"]),
                             ("/api/v1/alerts", ["alerts"]), ("/api/v1/hotspots?top=5", ["hotspots", "--top", "5"])] {
            let (code, body) = try get(base + path)
            #expect(code == 200, "\(path): \(String(decoding: body, as: UTF8.self))")
            let stored = try query(tmp, args)
            #expect(json(body) != nil && json(body) == json(stored.stdout), "\(path) differs from `\(args.joined(separator: " "))`")
        }
        let (_, alertsBody) = try get(base + "/api/v1/alerts?kind=burst")
        let bursts = try #require(json(alertsBody) as? [[String: Any]])
        #expect(!bursts.isEmpty, "the storm is a burst")
        if let id = bursts.first?["id"] as? String {
            let (code, one) = try get(base + "/api/v1/alerts/\(id)")
            #expect(code == 200 && (json(one) as? [String: Any])?["id"] as? String == id)
        }
        // `--server` prints what `--state-dir` prints, byte for byte, in every format.
        for args in [["alerts", "--kind", "burst"], ["hotspots", "--top", "3"], ["routes"]] {
            for format in ["json", "table", "csv"] {
                let viaAPI = try ProcessRunner.run(bin, args + ["--server", base, "--format", format], timeout: 20)
                let viaStore = try ProcessRunner.run(bin, args + ["--state-dir", tmp.file("state"), "--format", format], timeout: 20)
                #expect(viaAPI.succeeded && viaAPI.stdout == viaStore.stdout, "\(args) \(format): \(viaAPI.summary)")
            }
        }

        // `report` from the daemon and from its store: the same data in one self-contained file.
        var reports: [[String: Any]] = []
        for source in [["--server", base], ["--state-dir", tmp.file("state")]] {
            let out = tmp.file("report-\(reports.count).html")
            let r = try ProcessRunner.run(bin, ["report", "--out", out] + source, timeout: 20)
            #expect(r.succeeded && r.stderrText.contains("wrote"), "\(r.summary)")
            let html = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external assets")
            if let open = html.range(of: #"<script id="cw-data" type="application/json">"#),
               let close = html.range(of: "</script>", range: open.upperBound..<html.endIndex),
               var d = try JSONSerialization.jsonObject(with: Data(html[open.upperBound..<close.lowerBound].utf8)) as? [String: Any] {
                d["generated"] = nil
                reports.append(d)
            }
        }
        #expect(reports.count == 2 && NSDictionary(dictionary: reports[0]).isEqual(to: reports[1]), "report via --server differs from the store's")
        #expect((reports.first?["alerts"] as? [Any])?.count == (json(try query(tmp, ["alerts"]).stdout) as? [Any])?.count)

        // Errors: a bad parameter names itself; an unknown id is 404; both as {"error":{"message"}}.
        let (badCode, bad) = try get(base + "/api/v1/alerts?limit=0")
        #expect(badCode == 400)
        let badMessage = ((json(bad) as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
        #expect(badMessage?.contains("limit") == true, "\(String(decoding: bad, as: UTF8.self))")
        let (missingCode, missing) = try get(base + "/api/v1/alerts/no-such-alert")
        #expect(missingCode == 404 && ((json(missing) as? [String: Any])?["error"] as? [String: Any])?["message"] != nil)

        // Metrics add up to what was read.
        let (metricsCode, metrics) = try get(base + "/metrics")
        let m = String(decoding: metrics, as: UTF8.self)
        #expect(metricsCode == 200)
        #expect(m.contains("conflictwatch_lines_total \(lines)\n") || m.contains("conflictwatch_lines_total \(lines).0\n"), "\(m)")
        #expect(m.contains("conflictwatch_open_alerts") && m.contains("conflictwatch_lag_seconds") && m.contains("conflictwatch_conflicts_total"))
        let (healthCode, health) = try get(base + "/healthz")
        let healthDoc = json(health) as? [String: Any]
        #expect(healthCode == 200 && healthDoc?["status"] as? String == "ok" && healthDoc?["followed_files"] as? Int == 1, "\(String(decoding: health, as: UTF8.self))")
        let (pageCode, page) = try get(base + "/")
        #expect(pageCode == 200 && String(decoding: page, as: UTF8.self).contains("/api/v1/"))

        // Lag: a line with a new route shows in the API within 1 s.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        let started = Date()
        try handle.write(contentsOf: Data("10.9.9.9 - - [24/Nov/2026:10:13:00 +0000] \"PUT /api/lagcheck/1 HTTP/1.1\" 200 1 \"-\" \"x\"\n".utf8))
        try handle.close()
        var seenAfter: TimeInterval?
        while seenAfter == nil, Date().timeIntervalSince(started) < 3 {
            let (_, body) = try get(base + "/api/v1/routes")
            if String(decoding: body, as: UTF8.self).contains("/api/lagcheck/") { seenAfter = Date().timeIntervalSince(started) }
        }
        let lag = try #require(seenAfter, "the new line never reached the API")
        #expect(lag < 1, "seen after \(lag) s")
        print("api lag: \(String(format: "%.3f", lag)) s")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
    }

    @Test func offLoopbackNeedsATokenAndTheTokenIsChecked() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-api-token")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        try Data(daemonTests.traffic(start: Date(timeIntervalSince1970: 1_795_514_400), seconds: 5).utf8).write(to: URL(fileURLWithPath: log))

        let refused = try ProcessRunner.run(bin, ["tail", "--state-dir", tmp.file("state"), "--listen", "0.0.0.0:0", log], timeout: 20)
        #expect(refused.status == 2, "\(refused.summary)")
        #expect(refused.stderrText.contains("--api-token"), "says what to do: \(refused.stderrText)")
        let conf = tmp.file("config.yaml")
        try "sources:\n  - path: \(log)\nstate_dir: \(tmp.file("state"))\nlisten: 0.0.0.0:9409\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let check = try ProcessRunner.run(bin, ["config", "check", conf], timeout: 20)
        #expect(check.status == 2 && check.stderrText.contains("listen"), "\(check.summary)")

        let token = "test-token-0123456789abcdef"
        let (daemon, port) = try await startServing(tmp, log: log, extra: ["--listen", "0.0.0.0:0", "--api-token", token])
        let base = "http://127.0.0.1:\(port)"
        #expect(try await daemonTests.waitForStored(tmp, 20) == 20)
        #expect(try get(base + "/api/v1/alerts").0 == 401)
        #expect(try get(base + "/api/v1/alerts", token: "wrong-token-0123456789abcdef").0 == 401)
        #expect(try get(base + "/metrics").0 == 401)
        #expect(try get(base + "/api/v1/routes", token: token).0 == 200)
        #expect(try get(base + "/healthz").0 == 200, "health checks need no token")
        let viaAPI = try ProcessRunner.run(bin, ["routes", "--server", base, "--api-token", token, "--format", "json"], timeout: 20)
        #expect(viaAPI.succeeded && (json(viaAPI.stdout) as? [[String: Any]])?.first?["requests"] as? Int == 20, "\(viaAPI.summary)")
        let noToken = try ProcessRunner.run(bin, ["routes", "--server", base], timeout: 20)
        #expect(noToken.status == 1 && noToken.stderrText.lowercased().contains("token"), "\(noToken.summary)")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
    }
}
