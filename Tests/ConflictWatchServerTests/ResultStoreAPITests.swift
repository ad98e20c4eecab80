import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Hummingbird
import Testing

/// A fleet agent's API (SPEC §7): the queries read the result store it is given instead of its
/// own store, and a store that cannot answer (the fleet's PostgreSQL down) is a 503 that says
/// so, not a 500.
@Suite struct ResultStoreAPITests {
    /// Another store's results: only alert `f1`, no rollups, no buckets; or unreachable.
    struct OtherResults: ResultStore {
        var down = false
        func check() throws { if down { throw ResultStoreUnavailable("the fleet's database is unreachable: connection refused") } }
        func alerts(_ f: AlertFilter) async throws -> [Alert] {
            try check()
            return [StoreFixture.alert("f1", severity: .high, start: "2026-11-24T10:00:00.000000Z")]
        }
        func alert(id: String) async throws -> Alert? { try await alerts(AlertFilter()).first { $0.id == id } }
        func hotspots(top: Int) async throws -> [HotspotRow] { try check(); return [] }
        func routes(sinceMinute: Int64?, untilMinute: Int64?) async throws -> [RouteRow] { try check(); return [] }
        func oldestMinute() async throws -> Int64? { try check(); return nil }
        func newestMinute() async throws -> Int64? { try check(); return nil }
        func minuteCounts(sinceMinute: Int64, untilMinute: Int64, top: Int) async throws -> [ConflictStore.MinuteCounts] { [] }
        func bucketExtent() async throws -> (oldest: Int64, newest: Int64, width: Int64)? { try check(); return nil }
        func bucketCounts(since: Int64, until: Int64, top: Int) async throws -> [ConflictStore.BucketCounts] { [] }
    }

    @Test func theQueriesReadTheResultStoreGivenAndSilencesStayLocal() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, results: OtherResults()) { client in
            let alerts = try await client.get("/api/v1/alerts")
            #expect(try alerts.decode([Alert].self).map(\.id) == ["f1"])
            let f1 = try await client.get("/api/v1/alerts/f1"), a1 = try await client.get("/api/v1/alerts/a1")
            #expect(f1.status == 200)
            #expect(a1.status == 404, "the daemon's own alerts are not what it shows")
            let hotspots = try await client.get("/api/v1/hotspots"), routes = try await client.get("/api/v1/routes")
            #expect(try hotspots.decode([HotspotRow].self).isEmpty && routes.decode([RouteRow].self).isEmpty)
            let series = try await client.get("/api/v1/series")
            #expect(try series.decode(ConflictSeries.self).routes.isEmpty)
            let silences = try await client.get("/api/v1/silences"), health = try await client.get("/healthz")
            #expect(silences.status == 200 && health.status == 200)
        }
    }

    @Test(arguments: ["/api/v1/alerts", "/api/v1/alerts/f1", "/api/v1/hotspots", "/api/v1/routes", "/api/v1/series?resolution=bucket"])
    func aResultStoreThatCannotAnswerIsA503(path: String) async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, results: OtherResults(down: true)) { client in
            let r = try await client.get(path)
            #expect(r.status == 503, "\(path): \(r.text)")
            #expect(r.errorMessage == "the fleet's database is unreachable: connection refused")
            #expect(r.headers[.retryAfter] == "10")
            let health = try await client.get("/healthz")
            #expect(health.status == 200, "the agent itself is fine")
        }
    }

    /// Another store's silences (the fleet's), kept in memory.
    actor OtherSilences: SilenceStore {
        var kept: [Silence] = []
        func silences(includeExpired: Bool) async throws -> [Silence] { kept.filter { includeExpired || !$0.expired } }
        func silence(id: String) async throws -> Silence? { kept.first { $0.id == id } }
        func addSilence(_ silence: Silence) async throws { kept.append(silence) }
        func expireSilence(id: String) async throws -> Silence? {
            guard let i = kept.firstIndex(where: { $0.id == id }) else { return nil }
            kept[i].expired = true
            return kept[i]
        }
    }

    /// A fleet agent's silences are the fleet's: listed, added and expired there, even on an
    /// agent whose own store the API may not write.
    @Test func theSilenceEndpointsUseTheSilenceStoreGiven() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let other = OtherSilences()
        try await withQueryApp(fixture, results: OtherResults(), silences: other) { client in
            let posted = try await client.send("/api/v1/silences", method: .post, body: #"{"matchers":{"route":"/api/orders/*"},"for":"1h","comment":"fleet deploy","author":"ops"}"#)
            #expect(posted.status == 201, "\(posted.text)")
            let id = try posted.decode(Silence.self).id
            let kept = try await other.silences(includeExpired: true)
            #expect(kept.map(\.id) == [id] && kept.first?.comment == "fleet deploy")
            let listed = try await client.get("/api/v1/silences")
            #expect(try listed.decode([Silence].self).map(\.id) == [id])
            let expired = try await client.send("/api/v1/silences/\(id)", method: .delete)
            let ended = try expired.decode(Silence.self)
            #expect(expired.status == 200 && ended.expired)
            let after = try await client.get("/api/v1/silences")
            #expect(try after.decode([Silence].self).isEmpty)
        }
        #expect(try fixture.reader.silences(includeExpired: true).isEmpty, "the daemon's own store was not touched")
    }
}
