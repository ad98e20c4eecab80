import ConflictWatchCore
import Foundation
import GRDB
import Logging
import Testing
@testable import ConflictWatchStore

/// A fleet agent's outbox in a real state directory (SPEC §7): summaries in segment files,
/// located by rows committed with the checkpoints.
@Suite struct FleetOutboxStoreTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-fleetoutbox-\(UUID().uuidString.prefix(8))").path
    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// A summary of `n` exchanges whose paths carry `tag`, stamped `clock`.
    static func summary(_ n: Int, tag: Int, clock: Int64) -> FleetSummary {
        var w = FleetSummaryWriter()
        for i in 0..<n {
            var x = ExchangeView()
            let client = Array("10.0.0.\(i % 7)".utf8), method = Array("PUT".utf8), path = Array("/api/orders/\(tag)-\(i)".utf8)
            client.withUnsafeBytes { c in
                method.withUnsafeBytes { m in
                    path.withUnsafeBytes { p in
                        x.client = c
                        x.method = m
                        x.path = p
                        x.time = clock - Int64(n - i)
                        x.status = i % 5 == 0 ? 409 : 200
                        w.append(x)
                    }
                }
            }
        }
        return w.take(clock: clock)
    }

    func commit(_ store: ConflictStore, _ s: FleetSummary) throws {
        var batch = StoreBatch()
        batch.fleetSummary = s
        try store.commit(batch)
    }

    @Test func summariesComeBackByteForByteAcrossSegmentsAndGoWhenShipped() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Small segments, so that 40 summaries of ~4 KB span several.
        let files = FleetOutboxFiles(storeDirectory: dir, segmentBytes: 16 << 10)
        let small = try ConflictStore(directory: dir, mode: .writer, logger: logger, fleetFiles: files)
        let sent = (0..<40).map { Self.summary(60 + $0, tag: $0, clock: 1_000_000 * Int64($0 + 1)) }
        for s in sent { try commit(small, s) }
        let before = files.segments()
        #expect(before.count >= 5, "segments: \(before)")
        // The database holds where they are, not the summaries.
        let stored = try small.read { db in try Int.fetchOne(db, sql: "SELECT SUM(LENGTH(payload)) FROM fleet_outbox") }
        #expect(stored == 0)
        #expect(try small.fleetOutboxSize() == (40, Int64(sent.reduce(0) { $0 + $1.bytes.count })))

        let first = try small.fleetOutbox(limit: 25)
        #expect(first.map(\.summary) == Array(sent.prefix(25)))
        #expect(first.map(\.seq) == Array(1...25))
        try small.deleteFleetOutbox(through: 25)
        // Segments wholly shipped are gone; the one holding summary 26 is kept, so is the one written.
        let rest = try small.fleetOutbox(limit: 100)
        #expect(rest.map(\.summary) == Array(sent.suffix(15)))
        let remaining = files.segments()
        #expect(remaining.count < before.count && remaining == Array(before.suffix(remaining.count)), "after shipping 25: \(remaining) of \(before)")
        try small.deleteFleetOutbox(through: 40)
        #expect(files.segments() == [files.currentSegment()!], "only the segment being written stays: \(files.segments())")
        #expect(try small.fleetOutbox(limit: 10).isEmpty)
    }

    /// A kill -9 after the bytes were written and before their row committed leaves bytes no row
    /// points at: a new process appends after them and every committed summary reads back whole.
    @Test func bytesWithoutARowAreNeverRead() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = Self.summary(50, tag: 1, clock: 5_000_000), b = Self.summary(70, tag: 2, clock: 9_000_000)
        do {
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            try commit(store, a)
            // The write of a summary whose commit never happened.
            _ = try store.fleetFiles.append(Self.summary(30, tag: 99, clock: 7_000_000).bytes)
        }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        try commit(store, b)
        let rows = try store.fleetOutbox(limit: 10)
        #expect(rows.map(\.summary) == [a, b])
    }

    /// Bytes lost from the files (a power loss) do not stop the outbox: the summary goes out
    /// empty, with its clock, so the fleet's watermark moves on.
    @Test func aSummaryMissingFromItsFileGoesOutEmptyWithItsClock() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        try commit(store, Self.summary(50, tag: 1, clock: 5_000_000))
        let segment = try #require(store.fleetFiles.segments().last)
        #expect(truncate(store.fleetFiles.path(of: segment), 10) == 0)
        let rows = try store.fleetOutbox(limit: 10)
        #expect(rows.count == 1 && rows[0].summary.count == 0 && rows[0].summary.clock == 5_000_000)
        let records = try FleetSummaryRecords(rows[0].summary.bytes)
        #expect(records.count == 0 && records.clock == 5_000_000)
    }
}
