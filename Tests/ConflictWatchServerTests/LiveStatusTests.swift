import ConflictWatchServer
import Testing

@Suite struct LiveStatusTests {
    @Test func updatesAreSeenBySnapshotsAndKeepOtherFields() {
        let status = LiveStatus()
        status.update { $0.lines = 10; $0.webhooksSent = 2 }
        status.update { $0.lines += 5 }
        let s = status.snapshot
        #expect(s.lines == 15)
        #expect(s.webhooksSent == 2)
        #expect(s.lastCommit == nil)
    }
}
