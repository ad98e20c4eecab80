import ConflictWatchCore
import Foundation
import GRDB
import Logging
import Testing
@testable import ConflictWatchStore

/// The model's restart state in a real state directory (SPEC §5.5): two files written in turn,
/// the one the committed row names read back, whatever happened to the other.
@Suite struct ModelStateStoreTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-modelstate-\(UUID().uuidString.prefix(8))").path
    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// A state of `n` bytes that differs from every other `tag`'s.
    static func state(_ n: Int, tag: UInt8) -> [UInt8] {
        (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31) ^ tag }
    }

    func commit(_ store: ConflictStore, _ state: [UInt8]) throws {
        var batch = StoreBatch()
        batch.modelState = state
        try store.commit(batch)
    }

    @Test func eachCommitGoesToTheOtherFileAndTheLastCommittedReadsBack() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        #expect(try store.modelState() == nil)
        let states = [Self.state(300_000, tag: 1), Self.state(70_000, tag: 2), Self.state(5, tag: 3), Self.state(200_000, tag: 4)]
        var files: [String] = []
        for (i, s) in states.enumerated() {
            try commit(store, s)
            #expect(try store.modelState() == s)
            let w = try #require(try store.committedModelState())
            #expect(w.generation == Int64(i + 1) && w.length == s.count)
            files.append(store.modelFiles.path(ofGeneration: w.generation))
            // A shorter state leaves nothing of a longer one behind in its file.
            #expect(try FileManager.default.attributesOfItem(atPath: files.last!)[.size] as? Int == s.count)
        }
        #expect(files == ["model-snapshot.1", "model-snapshot.0", "model-snapshot.1", "model-snapshot.0"].map { dir + "/" + $0 })
        // The database holds where the state is, not the state.
        let stored = try store.read { db in try Int.fetchOne(db, sql: "SELECT LENGTH(snapshot) FROM model_state") }
        #expect(stored == 0)
        // Reopened (a restart): the same state, and the next commit goes to the other file.
        let again = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        #expect(try again.modelState() == states.last)
        try commit(again, Self.state(1_000, tag: 5))
        #expect(try again.committedModelState()?.generation == 5)
        #expect(try again.modelState() == Self.state(1_000, tag: 5))
    }

    /// A kill -9 after the next generation's file was written and before its row committed:
    /// the committed state is untouched, and the restart reads it.
    @Test func aGenerationWhoseCommitNeverHappenedIsNeverRead() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kept = Self.state(120_000, tag: 7)
        do {
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            try commit(store, Self.state(90_000, tag: 6))
            try commit(store, kept)
            // What a commit writes before its transaction.
            _ = try store.writeModelState(Self.state(150_000, tag: 8))
        }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        #expect(try store.modelState() == kept)
    }

    /// A file that lost bytes or holds others (a power loss, a hand edit) is refused with what
    /// is wrong, never handed to the model as its state.
    @Test func aDamagedFileIsRefusedWithWhatIsWrong() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        try commit(store, Self.state(50_000, tag: 9))
        let file = store.modelFiles.path(ofGeneration: try #require(try store.committedModelState()).generation)
        #expect(truncate(file, 1_000) == 0)
        #expect { _ = try store.modelState() } throws: { "\($0)".contains("holds 1000 of the 50000 bytes") }
        var other = Self.state(50_000, tag: 9)
        other[25_000] ^= 1
        try Data(other).write(to: URL(fileURLWithPath: file))
        #expect { _ = try store.modelState() } throws: { "\($0)".contains("does not hold the model's restart state") }
        try FileManager.default.removeItem(atPath: file)
        #expect { _ = try store.modelState() } throws: { "\($0)".contains("cannot open \(file)") }
        // A damaged row: a length that is negative or far past the file is refused, not allocated.
        try commit(store, Self.state(2_000, tag: 13))
        for length in [-1, Int.max / 2] {
            try store.pool.write { db in try db.execute(sql: "UPDATE model_state SET file_length = ?", arguments: [length]) }
            #expect { _ = try store.modelState() } throws: { "\($0)".contains("holds 2000 of the \(length) bytes") }
        }
        // The next commit is whole again.
        try commit(store, Self.state(10, tag: 10))
        #expect(try store.modelState() == Self.state(10, tag: 10))
    }

    /// A store whose state was committed in its row, before the files (migration v9), reads it
    /// from there until the next commit moves it out.
    @Test func aStateCommittedInTheRowBeforeTheFilesStillReadsBack() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let old = Self.state(4_000, tag: 11)
        try store.pool.write { db in
            try db.execute(sql: "INSERT INTO model_state (id, snapshot, updated) VALUES (1, ?, '2026-12-01T00:00:00Z')", arguments: [Data(old)])
        }
        #expect(try store.modelState() == old)
        try commit(store, Self.state(3_000, tag: 12))
        #expect(try store.committedModelState()?.generation == 1)
        #expect(try store.modelState() == Self.state(3_000, tag: 12))
    }

    /// The checksum is zlib's CRC-32: the standard check value of "123456789".
    @Test func theChecksumIsCRC32() {
        #expect(ModelStateFiles.crc(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(ModelStateFiles.crc([]) == 0)
    }
}
