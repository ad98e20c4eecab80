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

    init(slots: Int = 65_536) {
        entries = ZeroedBuffer(count: slots)
        mask = slots - 1
    }

    @inline(__always)
    private func slot(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 24) & mask }

    @inline(__always)
    func lookup(_ hash: UInt64) -> Int? {
        let e = entries.base[slot(hash)]
        return e.key == hash && e.routePlusOne > 0 ? e.routePlusOne - 1 : nil
    }

    /// Asks the CPU for `hash`'s slot: the table is larger than the caches, and the reading
    /// thread knows a path's hash well before it looks the path up.
    @inline(__always)
    func prefetch(_ hash: UInt64) {
        cw_prefetch(entries.base + slot(hash))
    }

    @inline(__always)
    mutating func store(_ hash: UInt64, route: Int) {
        entries.base[slot(hash)] = (hash, route + 1)
    }

    mutating func clear() {
        entries.base.update(repeating: (0, 0), count: entries.count)
    }
}
