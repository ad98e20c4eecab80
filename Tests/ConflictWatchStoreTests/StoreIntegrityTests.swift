import ConflictWatchCore
import Foundation
import GRDB
import Logging
import Testing
@testable import ConflictWatchStore

/// A damaged store file is reported as corrupt, with what to do; "newer" only for a sound file
/// whose migration table lists migrations this build does not know.
@Suite struct StoreIntegrityTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-integrity-\(UUID().uuidString.prefix(8))").path
    let logger = Logger(label: "test")

    func openError(_ mode: ConflictStore.Mode) -> String? {
        do {
            let store = try ConflictStore(directory: dir, mode: mode, logger: logger)
            // A reader finds damage when it reads.
            _ = try store.alerts(AlertFilter())
            return nil
        } catch {
            return error.description
        }
    }

    /// A store with a few alerts, closed (its WAL checkpointed into the file).
    func makeStore() throws -> String {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var batch = StoreBatch()
        for i in 0..<200 {
            batch.alerts.append(try ConflictStoreTests.alert("burst-\(i)", start: "2026-11-24T10:00:00.000000Z", end: "2026-11-24T10:01:00.000000Z"))
        }
        try store.commit(batch)
        return store.path
    }

    func overwrite(_ path: String, at offset: Int, with bytes: [UInt8]) throws {
        let h = try #require(FileHandle(forUpdatingAtPath: path))
        try h.seek(toOffset: UInt64(offset))
        h.write(Data(bytes))
        try h.close()
    }

    @Test func garbageInsteadOfAStoreIsCorruptNotNewer() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try makeStore()
        try overwrite(path, at: 0, with: Array(repeating: 0x41, count: 4096))
        for mode in [ConflictStore.Mode.writer, .reader] {
            let e = try #require(openError(mode), "\(mode) opened a garbage file")
            #expect(e.contains("the store at \(path) is corrupt") && e.contains("move it aside") && e.contains("restore it from a backup"), "\(e)")
            #expect(!e.contains("newer"), "\(e)")
        }
    }

    @Test func damagedPagesAreFoundAtOpenAndAtRead() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try makeStore()
        // The alert table's root page gets an invalid b-tree page type.
        let (root, pageSize) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'alert'")!,
             try Int.fetchOne(db, sql: "PRAGMA page_size")!)
        }
        try overwrite(path, at: (root - 1) * pageSize, with: [0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E])
        let reader = try #require(openError(.reader))
        #expect(reader.contains("is corrupt") && reader.contains("move it aside"), "\(reader)")
        let writer = try #require(openError(.writer))
        #expect(writer.contains("is corrupt (integrity check:"), "\(writer)")
    }

    @Test func newerOnlyForASoundFile() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try makeStore()
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        let sound = try #require(openError(.reader))
        #expect(sound.contains("written by a newer conflictwatch (migration v99-from-the-future)"), "\(sound)")
        // The same unknown migration in a damaged file: corrupt, not newer.
        let (root, pageSize) = try DatabaseQueue(path: path).read { db in
            (try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'alert'")!,
             try Int.fetchOne(db, sql: "PRAGMA page_size")!)
        }
        try overwrite(path, at: (root - 1) * pageSize, with: [0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E, 0x7E])
        let damaged = try #require(openError(.reader))
        #expect(damaged.contains("is corrupt") && !damaged.contains("newer"), "\(damaged)")
    }

    @Test func anEmptyOrHealthyFileOpens() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try makeStore()
        #expect(openError(.writer) == nil)
        #expect(openError(.reader) == nil)
    }
}
