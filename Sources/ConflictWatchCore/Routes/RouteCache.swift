/// Path → route index for paths seen recently (direct-mapped, keyed by the path's 64-bit hash).
/// Access logs repeat paths constantly; a hit skips segment classification and the route-table
/// lookup. Skipping the `{var}` learner on a hit loses nothing: it counts distinct values, and a
/// repeated path adds none. Cleared whenever a position is learned as `{var}`, so cached
/// routes never outlive what they were built from.
struct RouteCache {
    private var keys: [UInt64]
    private var values: [Int32]
    private let mask: Int

    init(slots: Int = 65_536) {
        keys = Array(repeating: 0, count: slots)
        values = Array(repeating: -1, count: slots)
        mask = slots - 1
    }

    @inline(__always)
    func lookup(_ hash: UInt64) -> Int? {
        let i = Int(truncatingIfNeeded: hash >> 24) & mask
        return keys[i] == hash ? Int(values[i]) : nil
    }

    @inline(__always)
    mutating func store(_ hash: UInt64, route: Int) {
        let i = Int(truncatingIfNeeded: hash >> 24) & mask
        keys[i] = hash
        values[i] = Int32(truncatingIfNeeded: route)
    }

    mutating func clear() {
        for i in keys.indices { keys[i] = 0 }
    }
}
