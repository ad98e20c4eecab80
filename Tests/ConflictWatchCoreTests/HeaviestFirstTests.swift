import Testing
@testable import ConflictWatchCore

/// The snapshot's selection of the resources it keeps against what it replaced: a stable sort of
/// them all by descending key, cut to the first `keep` — the same elements in the same order,
/// ties included.
@Suite struct HeaviestFirstTests {
    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static func stablePrefix(_ items: [Int], keep: Int, key: (Int) -> Double) -> [Int] {
        var sorted = items
        sorted.sort { key($0) > key($1) }
        return Array(sorted.prefix(keep))
    }

    @Test(arguments: [(1, 1), (10, 3), (1000, 1), (1000, 999), (5000, 4096), (20_000, 8192), (3000, 3000), (100, 200)])
    func sameAsAStableSortCut(count: Int, keep: Int) {
        for (seed, distinct) in [(1, 3), (2, 50), (3, 1_000_000)] {
            var rng = Rng(state: UInt64(seed * 7919 + count))
            // Items as the table's slot numbers (not in order), keys with many ties or few.
            let items = (0..<count).map { _ in rng.next(1 << 20) }
            var keys: [Int: Double] = [:]
            for item in items where keys[item] == nil { keys[item] = Double(rng.next(distinct)) - Double(distinct / 2) }
            keys[items[0]] = -.infinity
            let key = { (s: Int) in keys[s]! }
            let expected = Self.stablePrefix(items, keep: keep, key: key)
            #expect(HeaviestFirst.prefix(of: items, keep: keep, key: key) == expected, "count \(count), keep \(keep), distinct \(distinct)")
        }
    }

    @Test func theNthLargestOfSortedAndReversedInput() {
        var up = (0..<10_000).map(Double.init)
        #expect(HeaviestFirst.largest(1, in: &up) == 9999)
        var down = (0..<10_000).reversed().map(Double.init)
        #expect(HeaviestFirst.largest(10_000, in: &down) == 0)
        var same = [Double](repeating: 7, count: 1000)
        #expect(HeaviestFirst.largest(500, in: &same) == 7)
    }
}
