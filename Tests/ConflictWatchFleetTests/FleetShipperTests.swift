import ConflictWatchCore
import ConflictWatchStore
import Foundation
import PostgresNIO
import Testing
@testable import ConflictWatchFleet

/// The agent's shipper, against a real PostgreSQL: how many transactions a look costs.
@Suite struct FleetShipperTests {
    /// A shipment says the agent is alive as well: the empty look right after it sends nothing
    /// (each wake-up used to cost two transactions: the summaries, then an empty heartbeat); a
    /// look with nothing to ship sends the heartbeat when one is due. A full outbox is looked at
    /// again at once.
    @Test(.timeLimit(.minutes(1))) func aShipmentIsTheHeartbeatToo() async throws {
        guard let url = try await FleetDatabaseTests.freshDatabase("shipper") else { return }
        let logger = FleetDatabaseTests.logger
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-ship-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let shipper = FleetShipper(url: url, agent: "web1", store: store, backlog: FleetBacklog(), logger: logger)
        let db = try await FleetDatabase.connect(url, logger: logger)
        let incarnation = try store.fleetIncarnation()
        func lastSeen() async throws -> Double? {
            var seen: Double?
            for try await s in try await db.connection.query(
                "SELECT EXTRACT(EPOCH FROM last_seen)::float8 FROM fleet_stream WHERE agent = 'web1'", logger: logger).decode(Double.self) {
                seen = s
            }
            return seen
        }
        for seq in 1...2 {
            var batch = StoreBatch()
            batch.fleetSummary = FleetLeaderTests.summary(agent: 1, start: 1_780_000_000_000_000 + Int64(seq) * 1_000_000, count: 30)
            try store.commit(batch)
        }
        let shipped = try await shipper.shipOnce(db, incarnation: incarnation, heartbeat: false)
        #expect(shipped.contacted && !shipped.more, "both summaries in one transaction, nothing left")
        let afterShipment = try #require(try await lastSeen())
        try await Task.sleep(for: .milliseconds(50))
        let quiet = try await shipper.shipOnce(db, incarnation: incarnation, heartbeat: false)
        #expect(!quiet.contacted && !quiet.more)
        #expect(try await lastSeen() == afterShipment, "no transaction for an empty look right after a shipment")
        let beat = try await shipper.shipOnce(db, incarnation: incarnation, heartbeat: true)
        #expect(beat.contacted && !beat.more)
        #expect(try #require(try await lastSeen()) > afterShipment, "the heartbeat when due")
        await db.close()
    }
}
