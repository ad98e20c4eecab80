import ConflictWatchServer
import Testing

/// The durable webhook outbox's series in `/metrics` (SPEC §8: given-up events are counted).
@Suite struct WebhookMetricsTests {
    @Test func outboxSeries() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let status = LiveStatus()
        status.update {
            $0.webhooksSent = 9; $0.webhooksFailed = 3; $0.webhooksDropped = 5; $0.webhooksPending = 2; $0.webhooksGivenUp = 7
        }
        try await withQueryApp(fixture, status: status) { client in
            let m = try PrometheusText(try await client.get("/metrics").text)
            #expect(m.samples["conflictwatch_webhooks_sent_total"] == 9)
            #expect(m.samples["conflictwatch_webhooks_failed_total"] == 3)
            #expect(m.samples["conflictwatch_webhooks_dropped_total"] == 5)
            #expect(m.samples["conflictwatch_webhooks_pending"] == 2)
            #expect(m.samples["conflictwatch_webhooks_given_up"] == 7)
        }
    }
}
