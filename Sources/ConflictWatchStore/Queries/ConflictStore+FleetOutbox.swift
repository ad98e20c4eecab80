import ConflictWatchCore
import Foundation
import GRDB

/// A fleet agent's outbox (SPEC §7): summaries committed with their checkpoints, read by the
/// shipper in order and deleted once PostgreSQL has them.
extension ConflictStore {
    /// One stored summary and its sequence number in this store's stream.
    public struct FleetOutboxRow: Sendable, Equatable {
        public var seq: Int64
        public var summary: FleetSummary
    }

    /// This store's stream name in the fleet, made on first use (a store made anew is a new
    /// stream: its sequence numbers start again).
    public func fleetIncarnation() throws(StoreError) -> String {
        do {
            return try pool.write { db in
                if let known = try String.fetchOne(db, sql: "SELECT incarnation FROM fleet_identity WHERE id = 1") { return known }
                let fresh = UUID().uuidString.lowercased()
                try db.execute(sql: "INSERT INTO fleet_identity (id, incarnation) VALUES (1, ?)", arguments: [fresh])
                return fresh
            }
        } catch {
            throw StoreIntegrity.error(error, path: path, doing: "cannot write to the store")
        }
    }

    /// The oldest summaries not yet shipped, at most `limit` of them or about `maxBytes`.
    public func fleetOutbox(limit: Int, maxBytes: Int = 32 << 20) throws(StoreError) -> [FleetOutboxRow] {
        try read { db in
            var rows: [FleetOutboxRow] = []
            var bytes = 0
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT seq, clock, records, first_time, last_time, payload FROM fleet_outbox ORDER BY seq LIMIT ?", arguments: [limit])
            while let row = try cursor.next() {
                let payload: Data = row["payload"]
                rows.append(FleetOutboxRow(seq: row["seq"], summary: FleetSummary(
                    bytes: Array(payload), count: row["records"], firstTime: row["first_time"], lastTime: row["last_time"], clock: row["clock"])))
                bytes += payload.count
                if bytes >= maxBytes { break }
            }
            return rows
        }
    }

    /// Rows and bytes waiting in the outbox (the pipeline pauses reading beyond a bound).
    public func fleetOutboxSize() throws(StoreError) -> (rows: Int, bytes: Int64) {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(payload)), 0) AS b FROM fleet_outbox")
            return (row?["n"] ?? 0, row?["b"] ?? 0)
        }
    }

    /// Forgets the summaries up to `seq`, which PostgreSQL has.
    public func deleteFleetOutbox(through seq: Int64) throws(StoreError) {
        do {
            try pool.write { db in try db.execute(sql: "DELETE FROM fleet_outbox WHERE seq <= ?", arguments: [seq]) }
        } catch {
            throw StoreIntegrity.error(error, path: path, doing: "cannot write to the store")
        }
    }
}
