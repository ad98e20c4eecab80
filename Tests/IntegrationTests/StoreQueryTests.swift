import Foundation
import Testing

/// `analyze --state-dir` and the query commands on the store it writes: the stored alerts,
/// routes and hot spots read back exactly as `analyze --format json` printed them.
@Suite struct StoreQueryTests {
    var bin: String { TestEnvironment.conflictwatchBinary }

    func jsonArray(_ r: ProcessResult) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]], "stdout: \(r.stdoutText.prefix(300)) \(r.summary)")
    }

    func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Open: `end` null (or, as Core encodes it today, absent).
    func isOpen(_ a: [String: Any]) -> Bool { a["end"] == nil || a["end"] is NSNull }

    @Test func analyzeStateDirThenQueries() throws {
        let tmp = try TemporaryDirectory(prefix: "cw-store-query")
        defer { tmp.remove() }
        let demo = try ProcessRunner.run(bin, ["demo", "--out", tmp.path])
        #expect(demo.succeeded, "\(demo.summary)")
        let log = tmp.file("access.log")
        // Not the demo's own store (it wrote one next to the sample): this run's alone.
        let state = tmp.file("analyze-state")
        let analyzed = try ProcessRunner.run(bin, ["analyze", "--format", "json", "--state-dir", state, log])
        #expect(analyzed.succeeded, "\(analyzed.summary)")
        let doc = try #require(JSONSerialization.jsonObject(with: analyzed.stdout) as? [String: Any])
        let alerts = try #require(doc["alerts"] as? [[String: Any]])
        let routes = try #require(doc["routes"] as? [[String: Any]])
        let hotspots = try #require(doc["hotspots"] as? [[String: Any]])
        #expect(!alerts.isEmpty && !hotspots.isEmpty, "the demo sample has alerts and hot spots")

        let storedAlerts = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json"]))
        #expect(try canonical(storedAlerts) == canonical(alerts))
        let storedRoutes = try jsonArray(try ProcessRunner.run(bin, ["routes", "--state-dir", state, "--format", "json"]))
        #expect(try canonical(storedRoutes) == canonical(routes))
        let storedHotspots = try jsonArray(try ProcessRunner.run(bin, ["hotspots", "--state-dir", state, "--format", "json", "--top", "5"]))
        #expect(try canonical(storedHotspots) == canonical(Array(hotspots.prefix(5))))

        // The traffic is stored per minute, as a daemon stores it: a window of the second half
        // holds part of it, the two halves add up to the whole, and the series has the minutes.
        func requests(_ args: [String]) throws -> Int {
            try jsonArray(try ProcessRunner.run(bin, ["routes", "--state-dir", state, "--format", "json"] + args))
                .reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
        }
        let total = routes.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
        let firstHalf = try requests(["--until", "2025-11-24T16:04:59Z"]), secondHalf = try requests(["--since", "2025-11-24T16:05:00Z"])
        #expect(firstHalf > 0 && secondHalf > 0 && firstHalf + secondHalf == total, "\(firstHalf) + \(secondHalf) vs \(total)")
        let report = tmp.file("report.html")
        let written = try ProcessRunner.run(bin, ["report", "--state-dir", state, "--out", report])
        #expect(written.succeeded, "\(written.summary)")
        let html = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        #expect(html.contains("\"step_seconds\":60") && html.contains("2025-11-24T16:09:00"), "the report's series has the run's minutes")

        // Filters, against what the analyze document says.
        let bursts = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json", "--kind", "burst"]))
        #expect(bursts.count == alerts.filter { $0["kind"] as? String == "burst" }.count)
        let open = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json", "--open"]))
        #expect(open.count == alerts.filter(isOpen).count)
        let high = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json", "--min-severity", "high"]))
        #expect(high.count == alerts.filter { ["high", "critical"].contains($0["severity"] as? String ?? "") }.count)
        let lock = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json", "--route", "*/lock"]))
        #expect(lock.allSatisfy { ($0["route"] as? String ?? "").hasSuffix("/lock") })
        let one = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json", "--limit", "1"]))
        #expect(one.count == 1)
        // The sample's traffic is from 2025: nothing in the last hour of the wall clock.
        let recent = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json", "--since", "1h", "--until", "0s"]))
        #expect(recent.filter(isOpen).count == recent.count, "only open alerts overlap the last hour")

        // alerts show ID, and CSV with a header and one row per alert.
        let id = try #require(alerts.first?["id"] as? String)
        let shown = try ProcessRunner.run(bin, ["alerts", "show", id, "--state-dir", state, "--format", "json"])
        let shownDoc = try #require(JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any])
        #expect(try canonical(shownDoc) == canonical(alerts[0]))
        let table = try ProcessRunner.run(bin, ["alerts", "show", id, "--state-dir", state])
        #expect(table.stdoutText.contains("reason"))
        let missing = try ProcessRunner.run(bin, ["alerts", "show", "nope", "--state-dir", state])
        #expect(missing.status == 1 && missing.stderrText.contains("conflictwatch alerts"))
        let csv = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "csv"])
        #expect(csv.stdoutText.hasPrefix("id,kind,severity,route,"))

        // Analysing again adds to the store: alerts are replaced by id, route counts add up.
        _ = try ProcessRunner.run(bin, ["analyze", "--state-dir", state, log])
        let again = try jsonArray(try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json"]))
        #expect(again.count == alerts.count)
    }
}
