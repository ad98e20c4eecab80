import ConflictWatchCore
import Foundation
import GRDB
import Logging

/// A fleet agent's outbox (SPEC §7): summaries committed with their checkpoints, read by the
/// shipper in order and deleted once PostgreSQL has them.
extension ConflictStore {
    /// One stored summary and its sequence number in this store's stream.
    public struct FleetOutboxRow: Sendable, Equatable {
        public var seq: Int64
        public var summary: FleetSummary
        public init(seq: Int64, summary: FleetSummary) {
            self.seq = seq
            self.summary = summary
        }
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

    /// The oldest summaries not yet shipped, at most `limit` of them or about `maxBytes`. A
    /// summary whose bytes are gone from the outbox's files (only a power loss does that) is
    /// handed over empty, with its clock, so the fleet goes on; the log says how many exchanges
    /// the fleet lost.
    public func fleetOutbox(limit: Int, maxBytes: Int = 32 << 20) throws(StoreError) -> [FleetOutboxRow] {
        let located = try read { db in
            var rows: [(seq: Int64, summary: FleetSummary, at: (segment: Int64, offset: Int64, length: Int)?)] = []
            var bytes = 0
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT seq, clock, records, first_time, last_time, payload, segment, file_offset, length
                FROM fleet_outbox ORDER BY seq LIMIT ?
                """, arguments: [limit])
            while let row = try cursor.next() {
                let segment: Int64? = row["segment"]
                let payload: Data = row["payload"]
                let summary = FleetSummary(bytes: segment == nil ? Array(payload) : [], count: row["records"],
                                           firstTime: row["first_time"], lastTime: row["last_time"], clock: row["clock"])
                let length: Int = row["length"] ?? payload.count
                rows.append((row["seq"], summary, segment.map { ($0, row["file_offset"] ?? 0, length) }))
                bytes += length
                if bytes >= maxBytes { break }
            }
            return rows
        }
        return located.map { r in
            var summary = r.summary
            if let at = r.at {
                if let bytes = fleetFiles.read(segment: at.segment, offset: at.offset, length: at.length) {
                    summary.bytes = bytes
                } else {
                    logger.error("fleet outbox summary missing from its file; the fleet goes on without its exchanges", metadata: [
                        "seq": "\(r.seq)", "exchanges": "\(summary.count)", "file": "\(fleetFiles.path(of: at.segment))"])
                    summary = FleetSummary(bytes: FleetSummaryWriter.empty(clock: summary.clock), count: 0, firstTime: nil, lastTime: nil,
                                           clock: summary.clock)
                }
            }
            return FleetOutboxRow(seq: r.seq, summary: summary)
        }
    }

    /// Rows and bytes waiting in the outbox (the pipeline pauses reading beyond a bound).
    public func fleetOutboxSize() throws(StoreError) -> (rows: Int, bytes: Int64) {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(COALESCE(length, LENGTH(payload))), 0) AS b FROM fleet_outbox")
            return (row?["n"] ?? 0, row?["b"] ?? 0)
        }
    }

    /// Forgets the summaries up to `seq`, which PostgreSQL has, and the outbox files no
    /// unshipped summary is in any more.
    public func deleteFleetOutbox(through seq: Int64) throws(StoreError) {
        // Before looking at what is still referenced: see FleetOutboxFiles.removeSegments.
        let current = fleetFiles.currentSegment()
        let oldest: Int64?
        do {
            oldest = try pool.write { db in
                try db.execute(sql: "DELETE FROM fleet_outbox WHERE seq <= ?", arguments: [seq])
                return try Int64.fetchOne(db, sql: "SELECT MIN(segment) FROM fleet_outbox")
            }
        } catch {
            throw StoreIntegrity.error(error, path: path, doing: "cannot write to the store")
        }
        fleetFiles.removeSegments(below: oldest ?? .max, current: current)
    }
}
