import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Testing
@testable import ConflictWatchServer

/// `GET /api/v1/series`: the dashboard's conflicts-over-time chart, from the per-minute rollups.
@Suite struct SeriesQueryTests {
    @Test func minutesOnAGridWithZerosAndTheDefaultWindowEndsAtTheNewestTraffic() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get("/api/v1/series")
            #expect(r.status == 200)
            let s = try r.decode(ConflictSeries.self)
            #expect(r.text == (try QueryJSON.encode(s)))
            // All stored traffic (less than six hours), one step per minute.
            #expect(s.stepSeconds == 60)
            #expect(s.start == "2026-11-24T10:00:00.000000Z" && s.end == "2026-11-24T10:06:00.000000Z")
            #expect(s.routes.map(\.route) == ["/api/orders/{id}", "/api/users/{id}"], "ranked by conflicts")
            let orders = s.routes[0].points
            #expect(orders.count == 6)
            #expect(orders[0] == .init(time: "2026-11-24T10:00:00.000000Z", requests: 100, writes: 40, conflicts: 8))
            #expect(orders[5] == .init(time: "2026-11-24T10:05:00.000000Z", requests: 50, writes: 20, conflicts: 2))
            #expect(orders.reduce(0) { $0 + $1.conflicts } == 10 && s.routes[0].conflicts == 10)
            #expect(orders[1..<5].allSatisfy { $0.requests == 0 }, "minutes with no rollup are zeros")
            #expect(s.routes[1].points.count == 6 && s.routes[1].points[0].requests == 30)

            // An explicit window may reach before the stored traffic: six hours back from 10:05.
            let wide = try await client.get("/api/v1/series?since=2026-11-24T04:06:00Z").decode(ConflictSeries.self)
            #expect(wide.routes[0].points.count == 360 && wide.routes[0].points[354].conflicts == 8)

            let top1 = try await client.get("/api/v1/series?top=1&since=2026-11-24T10:00:00Z").decode(ConflictSeries.self)
            #expect(top1.routes.map(\.route) == ["/api/orders/{id}"])
            #expect(top1.routes[0].points.map(\.conflicts) == [8, 0, 0, 0, 0, 2])

            let bad = try await client.get("/api/v1/series?top=0")
            #expect(bad.status == 400 && bad.text.contains("top"))
        }
    }

    @Test func renamedRoutesAreOneSeriesUnderTheirCurrentName() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-series-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: StoreFixture.logger)
        var batch = StoreBatch()
        batch.rollups = [
            RouteRollup(minute: 10, route: "/carts/x1y2", requests: 4, writes: 4, conflicts: 1, statuses: ["200": 3, "409": 1],
                        writers: 1, resources: 1, p50Ms: nil, p99Ms: nil),
            RouteRollup(minute: 11, route: "/carts/{var}", requests: 6, writes: 6, conflicts: 3, statuses: ["200": 3, "409": 3],
                        writers: 2, resources: 2, p50Ms: nil, p99Ms: nil),
            RouteRollup(minute: 11, route: "/other", requests: 9, writes: 9, conflicts: 2, statuses: ["200": 7, "409": 2],
                        writers: 2, resources: 2, p50Ms: nil, p99Ms: nil),
        ]
        batch.routeAliases = ["/carts/x1y2": "/carts/{var}"]
        try store.commit(batch)
        let counts = try store.minuteCounts(sinceMinute: 0, untilMinute: 20, top: 1)
        #expect(counts == [.init(minute: 10, route: "/carts/{var}", requests: 4, writes: 4, conflicts: 1),
                           .init(minute: 11, route: "/carts/{var}", requests: 6, writes: 6, conflicts: 3)],
                "4 conflicts after the merge outrank /other's 2")
    }

    @Test func longWindowsAreSummedIntoWiderStepsExactly() {
        // 1,000 minutes → steps of 3 minutes (334 points, at most 360), every count kept.
        let counts = (0..<1000).map { m in
            ConflictStore.MinuteCounts(minute: 100 + Int64(m), route: "/r", requests: Int64(m % 7), writes: 1, conflicts: Int64(m % 3))
        }
        let s = SeriesQuery.series(counts, first: 100, last: 1099)
        #expect(s.stepSeconds == 180)
        #expect(s.routes[0].points.count == 334)
        #expect(s.routes[0].points.reduce(0) { $0 + $1.conflicts } == counts.reduce(0) { $0 + $1.conflicts })
        #expect(s.routes[0].points.reduce(0) { $0 + $1.requests } == counts.reduce(0) { $0 + $1.requests })
        #expect(s.routes[0].points[0].conflicts == 0 + 1 + 2 && s.routes[0].points[0].writes == 3)
        #expect(s.routes[0].points.last?.writes == 1, "the last step holds minute 1099 only")
    }
}
