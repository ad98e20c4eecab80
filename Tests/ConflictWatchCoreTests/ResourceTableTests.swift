import Testing
@testable import ConflictWatchCore

/// The resource table's slots live in a pool filled in the order positions are first taken
/// (`PooledSlots`), so a log's resources take the pool's first pages however their hashes fall.
@Suite struct ResourceTableTests {
    static func insert(_ table: inout ResourceTable, _ n: Int, from first: Int = 0, at time: Int64 = 1) -> [(hash: UInt64, path: String, position: Int)] {
        (first..<(first + n)).map { k in
            let path = "/api/orders/\(k)"
            let bytes = Array(path.utf8)
            let hash = bytes.withUnsafeBytes { ByteHash.hash($0) } | 1
            let position = bytes.withUnsafeBytes { table.slot(hash: hash, label: $0, route: 0, at: time) }
            return (hash, path, position)
        }
    }

    static func entry(_ table: ResourceTable, _ position: Int) -> Int { Int(table.slots.entries[position]) }

    @Test("resources scattered over a large table take the pool's first entries, one each")
    func entriesAreDense() {
        var table = ResourceTable(capacity: 262_144)
        let taken = Self.insert(&table, 1_000)
        #expect(table.count == 1_000)
        let entries = taken.map { Self.entry(table, $0.position) }
        #expect(Set(entries).count == 1_000 && entries.min() == 1 && entries.max() == 1_000, "entries 1...count, each once")
        // Positions themselves are spread over the table: the pool is what keeps them together.
        #expect(taken.map(\.position).max()! - taken.map(\.position).min()! > 100_000)
        for t in taken {
            #expect(table.label(t.position) == t.path)
            #expect(table.find(hash: t.hash) == t.position)
        }
    }

    @Test("an eviction reuses the evicted position's entry, and labels stay with their resources")
    func evictionsReuseEntries() {
        var table = ResourceTable(capacity: 16)
        let decay = Decay(halfLifeSeconds: 60)
        var all: [(hash: UInt64, path: String, position: Int)] = []
        for round in 0..<10 {
            let batch = Self.insert(&table, 8, from: round * 8, at: Int64(round + 1) * 1_000_000)
            for t in batch {
                table.slots[t.position].writeCount = Double(round + 1)
                table.touch(t.position, decay: decay)
            }
            all += batch
        }
        #expect(table.count == 16)
        #expect(table.evictions == 64)
        let present = all.filter { table.find(hash: $0.hash) != nil }
        #expect(present.count == 16)
        #expect(Set(present.map { Self.entry(table, $0.position) }) == Set(1...16), "no entry beyond the bound")
        for t in present { #expect(table.label(t.position) == t.path) }
        // An untaken position reads the zero slot, as a zeroed table did.
        var empty = ResourceTable(capacity: 64)
        _ = Self.insert(&empty, 1)
        let untaken = (0..<64).first { empty.hashes[$0] == 0 }!
        #expect(empty.slots[untaken].totalWrites == 0 && empty.slots[untaken].labelLength == 0)
    }
}
