import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Logging
import Testing
@testable import ConflictWatchFleet

/// One store protocol, two stores (SPEC §7): the same results written to an embedded store and
/// to a fleet's PostgreSQL answer every query of the CLI, the API, the dashboard and `report`
/// byte for byte the same.
@Suite struct FleetResultsTests {
    static let logger = FleetDatabaseTests.logger
    static let minute: Int64 = 29_925_240 // 2026-11-24T10:00:00Z
    static let bucketWidth: Int64 = 10_000_000

    static func alert(_ id: String, kind: Alert.Kind = .burst, route: String, start: String, end: String?, agents: [String]) -> Alert {
        let json = """
            {"id":"\(id)","kind":"\(kind.rawValue)","class":["single_client"],"severity":"high","route":"\(route)",
             "resource":"/api/orders/13","client":"10.0.0.1","statuses":{"409":3},"start":"\(start)",
             "end":\(end.map { "\"\($0)\"" } ?? "null"),"peak_count":3,"expected":0.5,"score":9.1,"top_clients":[],
             "top_resources":[],"samples":[],"reason":"test \(id)","agents":\(try! RecordJSON.encode(agents))}
            """
        return try! JSONDecoder().decode(Alert.self, from: Data(json.utf8))
    }

    static let alerts = [
        alert("f1", route: "/api/orders/{id}", start: "2026-11-24T10:00:00.000000Z", end: "2026-11-24T10:01:00.000000Z", agents: ["web1"]),
        alert("f2", kind: .hotspot, route: "/api/users/{id}", start: "2026-11-24T10:02:00.000000Z", end: nil, agents: ["web2"]),
        alert("f3", route: "/api/orders/{id}", start: "2026-11-24T10:03:00.000000Z", end: nil, agents: ["web1", "web2"]),
    ]

    static func rollup(_ minute: Int64, _ route: String, _ requests: Int64, _ conflicts: Int64) -> RouteRollup {
        RouteRollup(minute: minute, route: route, requests: requests, writes: requests / 2, conflicts: conflicts,
                    statuses: ["200": requests - conflicts, "409": conflicts], writers: 3, resources: 5, p50Ms: 10, p99Ms: 50)
    }

    static let rollups = [
        rollup(minute, "/api/orders/{id}", 100, 8), rollup(minute, "/api/users/{id}", 40, 1), rollup(minute, "/api/old/{id}", 10, 2),
        rollup(minute + 3, "/api/orders/{id}", 60, 3), rollup(minute + 3, "/api/items/{id}", 20, 9),
    ]

    /// A later commit's deltas: one adds to a minute already stored (with a status it did not
    /// have and no quantiles, which keep the stored ones), one minute and route twice in the
    /// same commit (the two add up), one new row without quantiles.
    static let laterRollups: [RouteRollup] = {
        var unseenStatus = rollup(minute + 3, "/api/orders/{id}", 7, 2)
        unseenStatus.statuses = RecordJSON.encodeCounts(["503": 5, "409": 2])
        unseenStatus.p50Ms = nil
        unseenStatus.p99Ms = nil
        var noQuantiles = rollup(minute + 4, "/api/users/{id}", 9, 0)
        noQuantiles.p99Ms = nil
        return [unseenStatus, rollup(minute + 4, "/api/items/{id}", 4, 1), rollup(minute + 4, "/api/items/{id}", 6, 2), noQuantiles]
    }()

    static func bucket(_ slot: Int64, _ route: String, _ conflicts: Int64) -> RouteBucket {
        RouteBucket(start: minute * 60_000_000 + slot * bucketWidth, width: bucketWidth, route: route, requests: 10 * conflicts + 1,
                    writes: 5 * conflicts, conflicts: conflicts)
    }

    static let hotspots: [HotspotRow] = (1...3).map { i in
        try! JSONDecoder().decode(HotspotRow.self, from: Data("""
            {"resource":"/api/orders/\(i)","route":"/api/orders/{id}","probability":0.\(10 - i),"write_rate":3.5,"writers":4,
             "edit_window_ms":1000,"conflicts":\(i),"since":"2026-11-24T10:00:00.000000Z"}
            """.utf8))
    }

    /// The queries a command, the API, the dashboard and `report` run, as JSON.
    static func answers(_ store: some ResultStore) async throws -> [String] {
        func json(_ v: some Encodable) throws -> String { try QueryJSON.encode(v) }
        return [
            try json(try await AlertQuery().run(on: store)),
            try json(try await AlertQuery(kind: .burst, limit: 1).run(on: store)),
            try json(try await AlertQuery(since: "2026-11-24T10:02:30Z", open: true).run(on: store)),
            try json(try await store.alert(id: "f2")),
            try json(try await store.alert(id: "nope")),
            try json(try await HotspotQuery(top: 2).run(on: store)),
            try json(try await RouteQuery().run(on: store)),
            try json(try await RouteQuery(since: "2026-11-24T10:03:00Z").run(on: store)),
            try json(try await SeriesQuery(top: 2, all: true).run(on: store)),
            try json(try await SeriesQuery(until: "2026-11-24T10:01:00Z").run(on: store)),
            try json(try await SeriesQuery(top: 3, resolution: .bucket).run(on: store)),
        ]
    }

    @Test func theQueriesReadAFleetAsTheyReadTheEmbeddedStore() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("results") else { return }
        // Buckets 0-5 in two commits, bucket 3 cut in both (the second adds to the first).
        let first = [Self.bucket(0, "/api/orders/{id}", 2), Self.bucket(1, "/api/users/{id}", 1), Self.bucket(3, "/api/orders/{id}", 1)]
        let second = [Self.bucket(3, "/api/orders/{id}", 4), Self.bucket(5, "/api/items/{id}", 6), Self.bucket(5, "/api/old/{id}", 1)]
        let aliases = ["/api/old/{id}": "/api/orders/{id}"]

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-results-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let embedded = try ConflictStore(directory: directory, mode: .writer, logger: Self.logger)
        for (n, buckets) in [first, second].enumerated() {
            var batch = StoreBatch()
            if n == 0 {
                batch.alerts = Self.alerts
                batch.rollups = Self.rollups
                batch.hotspots = Self.hotspots
                batch.hotspotMinute = Self.minute + 3
                batch.routeAliases = aliases
            }
            if n == 1 { batch.rollups = Self.laterRollups }
            batch.buckets = buckets
            try embedded.commit(batch)
        }

        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        for (n, buckets) in [first, second].enumerated() {
            var batch = FleetDatabase.AggregatorCommit(state: .init(model: nil, positions: [:], watermark: 0, holder: "web1"))
            if n == 0 {
                batch.alerts = Self.alerts.map { ($0, $0.agents ?? []) }
                batch.rollups = Self.rollups
                batch.hotspots = Self.hotspots
                batch.hotspotMinute = Self.minute + 3
                batch.routeAliases = aliases
            }
            if n == 1 { batch.rollups = Self.laterRollups }
            batch.buckets = buckets
            try await db.commit(batch)
        }
        let fleet = FleetResults(database: db, logger: Self.logger)
        defer { Task { await fleet.close() } }

        let want = try await Self.answers(embedded)
        let got = try await Self.answers(fleet)
        #expect(want.count == got.count)
        for (i, (w, g)) in zip(want, got).enumerated() {
            #expect(w == g, "query \(i): the fleet answered differently\nembedded: \(w)\nfleet: \(g)")
        }
        // Not trivially equal: the answers hold what was written.
        let series = try await SeriesQuery(top: 3, resolution: .bucket).run(on: fleet)
        #expect(series.routes.map(\.route) == ["/api/orders/{id}", "/api/items/{id}", "/api/users/{id}"])
        #expect(series.routes[0].points.map(\.conflicts) == [2, 0, 0, 5, 0, 1], "bucket 3's two cuts add; a renamed route's counts join")
        #expect(try await RouteQuery().run(on: fleet).map(\.route) == ["/api/orders/{id}", "/api/items/{id}", "/api/users/{id}"])
        let later = try await RouteQuery(since: "2026-11-24T10:03:00Z").run(on: fleet)
        #expect(later.first { $0.route == "/api/orders/{id}" }?.requests == 67, "a later commit adds to a stored minute")
        #expect(later.first { $0.route == "/api/items/{id}" }?.requests == 30, "a minute twice in one commit adds up")
    }

    @Test func anAgentNarrowsTheAlertsToItsTraffic() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("narrow") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        var batch = FleetDatabase.AggregatorCommit(state: .init(model: nil, positions: [:], watermark: 0, holder: "web1"))
        batch.alerts = Self.alerts.map { ($0, $0.agents ?? []) }
        try await db.commit(batch)
        let web2 = FleetResults(database: db, agent: "web2", logger: Self.logger)
        #expect(try await AlertQuery().run(on: web2).map(\.id) == ["f2", "f3"])
        await web2.close()
    }

    /// An agent's API reads the fleet on a connection of its own, made when first needed and
    /// again after a failure: nothing to read is an error that says so, never a hang.
    @Test(.timeLimit(.minutes(1))) func anUnreachableFleetIsUnavailableAndAReachableOneConnects() async throws {
        let down = FleetResults(url: try FleetDatabaseURL("postgres://cw@127.0.0.1:1/none"), logger: Self.logger)
        do {
            _ = try await down.alerts(AlertFilter())
            Issue.record("read alerts from a database that is not there")
        } catch let e as ResultStoreUnavailable {
            #expect(e.message.hasPrefix("the fleet's database is unreachable: cannot connect to PostgreSQL at"), "\(e.message)")
        }
        guard let url = try await FleetDatabaseTests.freshDatabase("lazy") else { return }
        let lazy = FleetResults(url: url, logger: Self.logger)
        #expect(try await lazy.alerts(AlertFilter()).isEmpty)
        #expect(try await lazy.bucketExtent() == nil)
        await lazy.close()
        #expect(try await lazy.newestMinute() == nil, "closed, it connects again")
        await lazy.close()
    }
}
