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

    /// `resolution=bucket`: the model's 10-s buckets of the last hours. A 12-s storm (30
    /// conflicts) in a minute with 60 conflicts spread over it is the one peak per bucket,
    /// where per minute it is one point among equals; the store prunes rows 6 h behind the newest.
    @Test func bucketResolutionShowsAShortStormAndOldBucketsArePruned() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-buckets-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: StoreFixture.logger)
        let t0 = StoreFixture.minute1 * 60_000_000, w: Int64 = 10_000_000
        var batch = StoreBatch()
        // Minutes 0 and 1: 10 conflicts per bucket (60 per minute); minute 1's bucket at :20 also
        // holds the storm, half of it written by a later flush (the store adds deltas).
        for b in 0..<12 { batch.buckets.append(RouteBucket(start: t0 + Int64(b) * w, width: w, route: "/api/orders/{id}", requests: 40, writes: 20, conflicts: 10)) }
        batch.buckets.append(RouteBucket(start: t0 + 8 * w, width: w, route: "/api/orders/{id}", requests: 15, writes: 15, conflicts: 15))
        batch.buckets.append(RouteBucket(start: t0 + 3 * w, width: w, route: "/api/users/{id}", requests: 5, writes: 1, conflicts: 1))
        // Seven hours back: outside the window behind the newest bucket, so pruned.
        batch.buckets.append(RouteBucket(start: t0 - 7 * 3600 * 1_000_000, width: w, route: "/api/orders/{id}", requests: 1, writes: 1, conflicts: 1))
        try store.commit(batch)
        var later = StoreBatch()
        later.buckets = [RouteBucket(start: t0 + 8 * w, width: w, route: "/api/orders/{id}", requests: 15, writes: 15, conflicts: 15)]
        try store.commit(later)

        let s = try await SeriesQuery(resolution: .bucket).run(on: store)
        #expect(s.resolution == .bucket && s.stepSeconds == 10)
        #expect(s.start == "2026-11-24T10:00:00.000000Z" && s.end == "2026-11-24T10:02:00.000000Z", "the oldest stored (kept) bucket to the newest")
        #expect(s.routes.map(\.route) == ["/api/orders/{id}", "/api/users/{id}"])
        let orders = s.routes[0].points.map(\.conflicts)
        #expect(orders.count == 12 && orders[8] == 40 && orders.enumerated().allSatisfy { $0.offset == 8 || $0.element == 10 }, "\(orders)")
        #expect(s.routes[1].points[3].requests == 5)
        let json = try QueryJSON.encode(s)
        #expect(json.contains("\"resolution\" : \"bucket\"") && json.contains("\"step_seconds\" : 10"), "the data says its resolution")

        // A longer window: whole buckets summed into wider steps, every count kept.
        let wide = try await SeriesQuery(since: "2026-11-24T09:00:00Z", resolution: .bucket).run(on: store)
        #expect(wide.start == "2026-11-24T09:00:00.000000Z" && wide.stepSeconds == 20, "an hour and two minutes of 10-s buckets: 20-s steps")
        #expect(wide.routes[0].points.reduce(0) { $0 + $1.conflicts } == 150)

        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let none = try await SeriesQuery(resolution: .bucket).run(on: fixture.reader)
        #expect(none.start == nil && none.stepSeconds == 0 && none.routes.isEmpty && none.resolution == .bucket, "a store without buckets")
        #expect(try await SeriesQuery().run(on: store).resolution == .minute)
    }

    @Test func seriesParametersAreChecked() throws {
        #expect(try SeriesQuery(parameters: [("resolution", "bucket"), ("top", "3")]) == SeriesQuery(top: 3, resolution: .bucket))
        #expect(try SeriesQuery(parameters: [("all", "true")]) == SeriesQuery(all: true))
        #expect(throws: QueryParameterError.self) { try SeriesQuery(parameters: [("resolution", "second")]) }
        #expect(throws: QueryParameterError.self) { try SeriesQuery(parameters: [("all", "true"), ("since", "1h")]) }
        #expect(SeriesQuery(top: 2, resolution: .bucket, all: true).parameters.map { $0.0 + "=" + $0.1 } == ["top=2", "resolution=bucket", "all=true"])
    }

    /// `all=true`: the minute series from the oldest stored minute (the report's default window).
    @Test func allStartsAtTheOldestStoredMinute() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let s = try await SeriesQuery(all: true).run(on: fixture.reader)
        #expect(s.start == "2026-11-24T10:00:00.000000Z" && s.end == "2026-11-24T10:06:00.000000Z" && s.resolution == .minute)
    }
}
