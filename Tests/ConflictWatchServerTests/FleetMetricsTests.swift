import ConflictWatchServer
import Testing

/// A fleet agent's series in `/metrics` (SPEC §7: an agent dropped from the watermark is said in
/// the metrics too), and none of them on a daemon that is not in a fleet.
@Suite struct FleetMetricsTests {
    @Test func agentSeries() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let status = LiveStatus()
        var fleet = LiveStatus.Fleet()
        fleet.leading = true
        fleet.liveAgents = 7
        fleet.droppedAgents = 1
        fleet.outboxBytes = 4096
        fleet.shippedSummaries = 12
        fleet.shippedExchanges = 3400
        fleet.accounted = 27_000
        fleet.watermark = 1_764_000_000.5
        status.update { $0.fleet = fleet }
        try await withQueryApp(fixture, status: status) { client in
            let m = try PrometheusText(try await client.get("/metrics").text)
            #expect(m.samples["conflictwatch_fleet_leader"] == 1)
            #expect(m.samples["conflictwatch_fleet_agents{state=\"live\"}"] == 7)
            #expect(m.samples["conflictwatch_fleet_agents{state=\"dropped\"}"] == 1)
            #expect(m.samples["conflictwatch_fleet_outbox_bytes"] == 4096)
            #expect(m.samples["conflictwatch_fleet_shipped_summaries_total"] == 12)
            #expect(m.samples["conflictwatch_fleet_shipped_exchanges_total"] == 3400)
            #expect(m.samples["conflictwatch_fleet_accounted_exchanges_total"] == 27_000)
            #expect(m.samples["conflictwatch_fleet_watermark_seconds"] == 1_764_000_000.5)
        }
    }

    @Test func noFleetNoSeries() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, status: LiveStatus()) { client in
            let text = try await client.get("/metrics").text
            #expect(!text.contains("conflictwatch_fleet_"))
        }
    }
}
