import ConflictWatchCore
import ConflictWatchServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Bearer tokens, /healthz, /metrics and the dashboard page.
@Suite struct AuthAndOpsTests {
    @Test func aConfiguredTokenIsRequiredExceptForHealthAndThePage() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, token: "t0ken-123") { client in
            for path in ["/api/v1/alerts", "/api/v1/alerts/a1", "/api/v1/hotspots", "/api/v1/routes", "/metrics", "/unknown"] {
                let none = try await client.get(path)
                #expect(none.status == 401, "\(path)")
                #expect(none.errorMessage?.contains("Authorization: Bearer") == true, "\(path): \(none.text)")
                #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                for wrong in ["t0ken-12", "t0ken-1234", "T0KEN-123", ""] {
                    #expect(try await client.get(path, token: wrong).status == 401, "\(path) with \(wrong)")
                }
            }
            #expect(try await client.get("/api/v1/alerts", token: "t0ken-123").status == 200)
            #expect(try await client.get("/metrics", token: "t0ken-123").status == 200)
            #expect(try await client.get("/unknown", token: "t0ken-123").status == 404)
            // The scheme is case-insensitive (RFC 7235); the token is not.
            let lower = try await client.execute(uri: "/api/v1/routes", method: .get, headers: [.authorization: "bearer t0ken-123"]) { $0.status }
            #expect(lower == .ok)
            let basic = try await client.execute(uri: "/api/v1/routes", method: .get, headers: [.authorization: "Basic dDBrZW4tMTIz"]) { $0.status }
            #expect(basic == .unauthorized)
            #expect(try await client.get("/healthz").status == 200)
            #expect(try await client.get("/").status == 200)
        }
    }

    @Test func withoutATokenNothingIsAsked() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let plain = try await client.get("/api/v1/hotspots")
            let withToken = try await client.get("/api/v1/hotspots", token: "anything")
            #expect(plain.status == 200 && withToken.status == 200)
        }
    }

    @Test func healthReportsTheLiveStatus() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let now = Date().timeIntervalSince1970
        let status = LiveStatus()
        status.update { $0.started = now - 100; $0.lastCommit = now - 2; $0.lagSeconds = 0.25; $0.openAlerts = 3; $0.followedFiles = 2 }
        try await withQueryApp(fixture, status: status) { client in
            let r = try await client.get("/healthz")
            #expect(r.status == 200)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as? [String: Any])
            #expect(body["status"] as? String == "ok")
            // Measured from `now`, which the test took before the app started: on a loaded
            // machine (the suites run in parallel) that can be a minute earlier, so the upper
            // bounds allow for the time that really passed.
            let passed = Date().timeIntervalSince1970 - now
            let sinceCommit = try #require(body["seconds_since_last_commit"] as? Double)
            #expect(sinceCommit >= 2 && sinceCommit <= 2 + passed + 1, "\(sinceCommit) s, \(passed) s passed")
            let uptime = try #require(body["uptime_seconds"] as? Double)
            #expect(uptime >= 100 && uptime <= 100 + passed + 1, "\(uptime) s, \(passed) s passed")
            #expect(body["lag_seconds"] as? Double == 0.25)
            #expect(body["open_alerts"] as? Int == 3)
        }
        // Before the first commit, and with no daemon behind the server: still ok, nulls.
        try await withQueryApp(fixture, status: LiveStatus()) { client in
            let r = try await client.get("/healthz")
            #expect(r.status == 200 && r.text.contains("\"seconds_since_last_commit\" : null"))
        }
        try await withQueryApp(fixture) { client in
            let r = try await client.get("/healthz")
            #expect(r.status == 200 && r.text.contains("\"status\" : \"ok\""))
        }
    }

    @Test func metricsAreThePrometheusTextOfTheLiveStatus() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let status = LiveStatus()
        status.update {
            $0.lines = 12_345; $0.exchanges = 12_000; $0.malformed = 45; $0.writes = 5_000; $0.conflicts = 321
            $0.openAlerts = 4; $0.openAlertsByLabel = [.init(kind: .burst, severity: .high): 3, .init(kind: .hotspot, severity: .low): 1]; $0.drops = 7; $0.lagSeconds = 1.5; $0.unreadBytes = 4096; $0.webhooksSent = 9
            $0.webhooksFailed = 1; $0.webhooksPending = 2; $0.followedFiles = 3; $0.lastCommit = 1_764_000_000.5
        }
        try await withQueryApp(fixture, status: status) { client in
            let r = try await client.get("/metrics")
            #expect(r.status == 200)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let m = try PrometheusText(r.text)
            #expect(m.samples["conflictwatch_lines_total"] == 12_345)
            #expect(m.samples["conflictwatch_exchanges_total"] == 12_000)
            #expect(m.samples["conflictwatch_malformed_total"] == 45)
            #expect(m.samples["conflictwatch_writes_total"] == 5_000)
            #expect(m.samples["conflictwatch_conflicts_total"] == 321)
            #expect(m.samples["conflictwatch_drops_total"] == 7)
            #expect(m.samples["conflictwatch_webhooks_sent_total"] == 9)
            #expect(m.samples["conflictwatch_webhooks_failed_total"] == 1)
            #expect(m.openAlerts == 4)
            #expect(m.samples["conflictwatch_lag_seconds"] == 1.5)
            #expect(m.samples["conflictwatch_unread_bytes"] == 4096)
            #expect(m.samples["conflictwatch_webhooks_pending"] == 2)
            #expect(m.samples["conflictwatch_last_commit_timestamp_seconds"] == 1_764_000_000.5)
            #expect(m.types["conflictwatch_conflicts_total"] == "counter")
            #expect(m.types["conflictwatch_lag_seconds"] == "gauge")
            #expect(m.samples.keys.allSatisfy { $0.hasPrefix("conflictwatch_") })
            #expect(m.samples.keys.allSatisfy { !$0.hasPrefix("conflictwatch_open_alerts ") && $0 != "conflictwatch_open_alerts" },
                    "open alerts only by label: an unlabelled total beside them would double sum()")
            #expect(Set(m.helps.keys) == Set(m.types.keys), "every metric has HELP and TYPE")

            // A later scrape shows the new totals, not the sum of the scrapes.
            status.update { $0.lines += 5; $0.openAlerts = 1; $0.openAlertsByLabel = [.init(kind: .burst, severity: .high): 1] }
            let again = try PrometheusText(try await client.get("/metrics").text)
            #expect(again.samples["conflictwatch_lines_total"] == 12_350)
            #expect(again.openAlerts == 1)
            #expect(again.samples["conflictwatch_conflicts_total"] == 321)
        }
    }

    @Test func theDashboardIsSelfContained() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get("/")
            #expect(r.status == 200)
            #expect(r.headers[.contentType] == "text/html; charset=utf-8")
            #expect(r.headers[.contentSecurityPolicy]?.contains("connect-src 'self'") == true)
            for endpoint in ["/api/v1/alerts", "/api/v1/hotspots", "/api/v1/routes"] { #expect(r.text.contains(endpoint)) }
            #expect(r.text.contains("createElementNS"), "draws SVG charts")
            // No external assets: the only URL is the SVG namespace name, which is never fetched.
            let urls = r.text.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
            #expect(urls.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(urls)")
            #expect(!r.text.contains("innerHTML"), "traffic values never become markup")
        }
    }
}

/// A minimal reader of the Prometheus text format (0.0.4): every line is a comment
/// (`# HELP`/`# TYPE`) or `name[{labels}] value`; anything else fails the test.
struct PrometheusText {
    var samples: [String: Double] = [:]
    var types: [String: String] = [:]
    var helps: [String: String] = [:]

    struct Malformed: Error { var line: String }

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            if line.hasPrefix("# TYPE ") {
                guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { throw Malformed(line: String(line)) }
                types[parts[2]] = parts[3]
            } else if line.hasPrefix("# HELP ") {
                guard parts.count == 4 else { throw Malformed(line: String(line)) }
                helps[parts[2]] = parts[3]
            } else {
                // `name{label="value",...} value`: the key is everything before the last space,
                // labels included, so a labelled sample reads as samples[#"name{kind="burst"}"#].
                guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                    throw Malformed(line: String(line))
                }
                let key = String(line[..<space])
                let name = key.prefix { $0 != "{" }
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }),
                      name.count == key.count || (key.hasSuffix("}") && key.dropFirst(name.count).hasPrefix("{")) else {
                    throw Malformed(line: String(line))
                }
                samples[key] = value
            }
        }
    }
}

extension PrometheusText {
    /// `sum(conflictwatch_open_alerts)`: the open alerts are only published by kind and severity.
    var openAlerts: Double {
        samples.filter { $0.key.hasPrefix("conflictwatch_open_alerts{") }.values.reduce(0, +)
    }
}
