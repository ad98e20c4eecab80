import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The endpoints of SPEC §9 against a store with known contents: exact JSON, filters, errors.
@Suite struct QueryAPITests {
    @Test func alertsAreTheCLIsJSONByteForByte() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get("/api/v1/alerts")
            #expect(r.status == 200)
            #expect(r.headers[.contentType] == "application/json; charset=utf-8")
            #expect(r.text == (try QueryJSON.encode(StoreFixture.alerts)))
            #expect(try r.decode([Alert].self) == StoreFixture.alerts)
            // Sorted keys and unescaped slashes, as the CLI prints.
            #expect(r.text.contains("\"route\" : \"/api/orders/{id}\""))
            #expect(r.text.range(of: "\"class\"")!.lowerBound < r.text.range(of: "\"client\"")!.lowerBound)
        }
    }

    @Test(arguments: [
        ("kind=hotspot", ["a2"]),
        ("kind=burst", ["a1", "a3", "a4"]),
        ("route=/api/orders/%2A", ["a1", "a3", "a4"]),
        ("route=%2F%2A%2Flock", ["a4"]),
        ("client=10.0.0.2", ["a3"]),
        ("min_severity=high", ["a2", "a4"]),
        ("open=true", ["a2", "a4"]),
        ("open=1", ["a2", "a4"]),
        ("open", ["a2", "a4"]),
        ("open=false", ["a1", "a2", "a3", "a4"]),
        ("limit=2", ["a3", "a4"]),  // the newest two, oldest first
        ("since=2026-11-24T09:30:00Z", ["a2", "a3", "a4"]),
        ("since=2026-11-24T11:30:00%2B01:00", ["a2", "a3", "a4"]),
        ("until=2026-11-24T10:30:00Z", ["a1", "a2"]),
        ("since=2026-11-24T10:30:00Z&until=2026-11-24T11:30:00Z&kind=burst", ["a3"]),
        ("since=1h", ["a2", "a4"]),
        ("min_severity=medium&open=true&limit=1", ["a4"]),
    ])
    func alertFiltersFilter(query: String, ids: [String]) async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get("/api/v1/alerts?" + query)
            #expect(r.status == 200, "\(query): \(r.text)")
            #expect(try r.decode([Alert].self).map(\.id) == ids, "\(query)")
        }
    }

    @Test(arguments: [
        ("/api/v1/alerts?limit=0", "limit: expected a whole number ≥ 1"),
        ("/api/v1/alerts?limit=ten", "limit: expected a whole number ≥ 1"),
        ("/api/v1/alerts?limit=99999999999999999999999", "limit: expected a whole number ≥ 1"),
        ("/api/v1/alerts?since=yesterday", "since: expected a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z"),
        ("/api/v1/alerts?until=", "until: expected a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z"),
        ("/api/v1/alerts?since=99999999999999999d", "since: expected a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z"),
        ("/api/v1/alerts?kind=storm", "kind: expected burst or hotspot"),
        ("/api/v1/alerts?min_severity=urgent", "min_severity: expected low, medium, high or critical"),
        ("/api/v1/alerts?open=yes", "open: expected true, false, 1 or 0"),
        ("/api/v1/alerts?limit=1&limit=2", "limit: given more than once"),
        ("/api/v1/alerts?min-severity=high", "min-severity: unknown query parameter (known ones are since, until, kind, route, client, min_severity, open, limit, hide_silenced)"),
        ("/api/v1/hotspots?top=0", "top: expected a whole number ≥ 1"),
        ("/api/v1/hotspots?limit=3", "limit: unknown query parameter (known ones are top)"),
        ("/api/v1/routes?since=1x", "since: expected a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z"),
        ("/api/v1/routes?top=3", "top: unknown query parameter (known ones are since, until)"),
        ("/api/v1/alerts/a1?format=json", "format: unknown query parameter (this endpoint takes none)"),
    ])
    func badParametersAre400NamingTheParameter(uri: String, message: String) async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get(uri)
            #expect(r.status == 400, "\(uri)")
            #expect(r.errorMessage == message, "\(uri): \(r.text)")
        }
    }

    @Test func oneAlertAndA404ForAMissingOne() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get("/api/v1/alerts/a2")
            #expect(r.status == 200)
            #expect(r.text == (try QueryJSON.encode(StoreFixture.alerts[1])))
            let missing = try await client.get("/api/v1/alerts/nope")
            #expect(missing.status == 404)
            #expect(missing.errorMessage == "no alert nope; list them at /api/v1/alerts")
            let encoded = try await client.get("/api/v1/alerts/a%32")
            #expect(encoded.status == 200, "a percent-encoded id is decoded")
        }
    }

    @Test func unknownPathsAre404WithTheErrorShape() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            for path in ["/api/v1/alert", "/nothing", "/api/v2/alerts"] {
                let r = try await client.get(path)
                #expect(r.status == 404, "\(path)")
                #expect(r.errorMessage?.hasPrefix("no such endpoint: \(path)") == true, "\(path): \(r.text)")
            }
        }
    }

    @Test func otherMethodsAre405AndHeadWorks() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            for (path, method) in [("/api/v1/alerts", HTTPRequest.Method.post), ("/api/v1/alerts/a1", .delete), ("/metrics", .put)] {
                let r = try await client.execute(uri: path, method: method) { r in
                    Reply(status: Int(r.status.code), text: String(buffer: r.body), headers: r.headers)
                }
                #expect(r.status == 405, "\(method) \(path)")
                #expect(r.headers[.allow] == "GET, HEAD")
                #expect(r.errorMessage?.contains("read-only") == true, "\(r.text)")
            }
            let head = try await client.execute(uri: "/healthz", method: .head) { ($0.status, $0.body.readableBytes) }
            #expect(head.0 == .ok && head.1 == 0)
        }
    }

    @Test func hotspotsTopN() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let all = try await client.get("/api/v1/hotspots")
            #expect(all.text == (try QueryJSON.encode(StoreFixture.hotspots)))
            let two = try await client.get("/api/v1/hotspots?top=2")
            #expect(try two.decode([HotspotRow].self) == Array(StoreFixture.hotspots.prefix(2)))
            #expect(two.text.contains("\"edit_window_ms\" : 1000"))
        }
    }

    @Test func routesOverTheWholeStoreAndAWindow() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let all = try await client.get("/api/v1/routes")
            #expect(all.text == (try QueryJSON.encode(try fixture.reader.routes())))
            let rows = try all.decode([RouteRow].self)
            #expect(rows.map(\.route) == ["/api/orders/{id}", "/api/users/{id}"])
            #expect(rows[0].requests == 150 && rows[0].writes == 60 && rows[0].conflicts == 10)
            #expect(rows[0].statuses == ["200": 140, "409": 8, "412": 2])
            #expect(rows[0].writers == 6 && rows[0].p99Ms == 90)

            // From 10:03: only the 10:05 minute.
            let late = try await client.get("/api/v1/routes?since=2026-11-24T10:03:00Z").decode([RouteRow].self)
            #expect(late.map(\.route) == ["/api/orders/{id}"])
            #expect(late.first?.requests == 50 && late.first?.statuses == ["200": 48, "412": 2])
            #expect(late.first?.conflictRatio == 0.1)
            // Up to 10:00:30: only the 10:00 minute (a minute counts when it holds an instant of the window).
            let early = try await client.get("/api/v1/routes?until=2026-11-24T10:00:30Z").decode([RouteRow].self)
            #expect(early.map(\.requests) == [100, 30])
            let none = try await client.get("/api/v1/routes?since=2026-11-25T00:00:00Z")
            let empty = try QueryJSON.encode([RouteRow]())
            #expect(none.status == 200 && none.text == empty)
        }
    }

    @Test func theLiveServerAnswersOverTCP() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, token: "s3cret", setup: .live) { client in
            let r = try await client.get("/api/v1/alerts?open=true", token: "s3cret")
            #expect(r.status == 200)
            #expect(try r.decode([Alert].self).map(\.id) == ["a2", "a4"])
            #expect(try await client.get("/api/v1/alerts").status == 401)
        }
    }
}
