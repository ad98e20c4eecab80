/// Path → route index for paths seen recently (direct-mapped, keyed by the path's 64-bit hash).
/// Access logs repeat paths constantly; a hit skips segment classification and the route-table
/// lookup. Skipping the `{var}` learner on a hit loses nothing: it counts distinct values, and a
/// repeated path adds none. Cleared whenever a position is learned as `{var}`, so cached
/// routes never outlive what they were built from. Key and value sit
/// side by side (one cache line per lookup).
struct RouteCache {
    private var entries: [(key: UInt64, route: Int)]
    private let mask: Int

    init(slots: Int = 65_536) {
        entries = Array(repeating: (0, -1), count: slots)
        mask = slots - 1
    }

    @inline(__always)
    func lookup(_ hash: UInt64) -> Int? {
        let e = entries[Int(truncatingIfNeeded: hash >> 24) & mask]
        return e.key == hash ? e.route : nil
    }

    @inline(__always)
    mutating func store(_ hash: UInt64, route: Int) {
        entries[Int(truncatingIfNeeded: hash >> 24) & mask] = (hash, route)
    }

    mutating func clear() {
        for i in entries.indices { entries[i] = (0, -1) }
    }
}
