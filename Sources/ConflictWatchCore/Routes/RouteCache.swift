import CPrefetch

/// Path → route index for paths seen recently (direct-mapped, keyed by the path's 64-bit hash).
/// Access logs repeat paths constantly; a hit skips segment classification and the route-table
/// lookup. Skipping the `{var}` learner on a hit loses nothing: it counts distinct values, and a
/// repeated path adds none. Cleared whenever a position is learned as `{var}`, so cached
/// routes never outlive what they were built from. Key and value sit
/// side by side (one cache line per lookup). Zeroed memory, the route stored plus one (0 is an
/// empty slot), so a small input touches only the slots it uses.
struct RouteCache {
    private var entries: ZeroedBuffer<(key: UInt64, routePlusOne: Int)>
    private let mask: Int

    /// 4 MiB. Direct-mapped, so it holds well only what is well below its size: the bench's
    /// 2 M-line log has 125,000 distinct paths, and `analyze` took 531 → 466 ms going from
    /// 65,536 slots to these (131,072: 481 ms; 524,288: 474 ms; medians of 11 alternated runs).
    /// Zeroed memory: an idle daemon or a small input touches only the pages it uses.
    init(slots: Int = 262_144) {
        entries = ZeroedBuffer(count: slots)
        mask = slots - 1
    }

    @inline(__always)
    private func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> Self.hashShift) & mask }

    static let hashShift: UInt64 = 24

    @inline(__always)
    func lookup(_ hash: UInt64) -> Int? {
        let e = entries.base[slot(hash)]
        return e.key == hash && e.routePlusOne > 0 ? e.routePlusOne - 1 : nil
    }

    /// Where `hash`'s entry is (for tests of the prefetcher).
    func address(_ hash: UInt64) -> UnsafeRawPointer { UnsafeRawPointer(entries.base + slot(hash)) }

    /// What asks the CPU for `hash`'s slot ahead of a lookup: the table is larger than the
    /// caches, and the reading thread knows a path's hash well before it looks the path up. A
    /// value, so another module's hot loop asks without a call: the table never moves.
    var prefetcher: RouteCachePrefetcher {
        RouteCachePrefetcher(base: UnsafeRawPointer(entries.base), mask: mask, shift: Self.hashShift,
                             stride: MemoryLayout<(key: UInt64, routePlusOne: Int)>.stride)
    }

    @inline(__always)
    mutating func store(_ hash: UInt64, route: Int) {
        entries.base[slot(hash)] = (hash, route + 1)
    }

    mutating func clear() {
        entries.base.update(repeating: (0, 0), count: entries.count)
    }
}

/// `RouteCache.prefetcher`: kept by the reading thread (another module), where a call into Core
/// that copied the whole resolver per line was 1.3 % of `analyze`'s samples.
package struct RouteCachePrefetcher {
    @usableFromInline let base: UnsafeRawPointer
    @usableFromInline let mask: Int
    @usableFromInline let shift: UInt64
    @usableFromInline let stride: Int

    /// The slot `RouteCache.slot` gives `hash`.
    @inlinable @inline(__always)
    package func prefetch(_ hash: UInt64) { cw_prefetch(address(hash)) }

    @inlinable @inline(__always)
    package func address(_ hash: UInt64) -> UnsafeRawPointer {
        base + (Int(truncatingIfNeeded: hash >> shift) & mask) &* stride
    }
}
