import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Testing

/// The query types the CLI, its `--server` client and the API share.
@Suite struct QueryDefinitionTests {
    @Test func aQueryRoundTripsThroughItsParameters() throws {
        let q = AlertQuery(since: "2026-11-24T10:00:00+01:00", until: "30m", kind: .hotspot, route: "/api/*/{id}",
                           client: "::1", minSeverity: .high, open: true, limit: 7)
        #expect(try AlertQuery(parameters: q.parameters) == q)
        #expect(try AlertQuery(parameters: AlertQuery().parameters) == AlertQuery())
        #expect(try HotspotQuery(parameters: HotspotQuery(top: 3).parameters) == HotspotQuery(top: 3))
        let r = RouteQuery(since: "7d", until: "2026-11-24T10:00:00Z")
        #expect(try RouteQuery(parameters: r.parameters) == r)
    }

    @Test func timesResolveAgainstNowAndRejectOverflow() {
        let now: Int64 = 1_764_000_000_000_000
        #expect(QueryTime.micros("90s", now: now) == now - 90_000_000)
        #expect(QueryTime.micros("30m", now: now) == now - 1_800_000_000)
        #expect(QueryTime.micros("7d", now: now) == now - 604_800_000_000)
        #expect(QueryTime.micros("2026-11-24T10:00:00Z", now: now) == 1_795_514_400_000_000)
        for bad in ["", "m", "-5m", "5w", "99999999999999999d", "9223372036854775807s", "2026-13-01T00:00:00Z", "soon"] {
            #expect(QueryTime.micros(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func theAlertFilterGetsTheStoresTimeFormat() throws {
        let now: Int64 = 1_795_514_400_000_000 // 2026-11-24T10:00:00Z
        let f = try AlertQuery(since: "1h", until: "2026-11-24T10:30:00+01:00", route: "/x/*", open: true).filter(now: now)
        #expect(f.since == "2026-11-24T09:00:00.000000Z")
        #expect(f.until == "2026-11-24T09:30:00.000000Z")
        #expect(f.routeGlob == "/x/*" && f.openOnly)
    }

    @Test func routeWindowsAreWholeMinutes() throws {
        let now: Int64 = 1_795_514_400_000_000 // 2026-11-24T10:00:00Z = minute 29_925_240
        let w = try RouteQuery(since: "90s", until: "2026-11-24T10:00:59Z").window(now: now)
        #expect(w.sinceMinute == 29_925_238)
        #expect(w.untilMinute == 29_925_240)
        let before1970 = try RouteQuery(since: "1969-12-31T23:59:30Z").window(now: now)
        #expect(before1970.sinceMinute == -1)
    }
}
