import CPrefetch

/// Remembers when a client last read a resource, to measure edit windows (the gap between a
/// client's read and its next write of the same resource). Direct-mapped and fixed-size, key
/// and time side by side (one cache line per access): a collision overwrites, which can only
/// lose a sample, never invent one (the key is checked). Zeroed memory (key 0 is empty), so
/// only the slots written take resident memory.
package struct ReadTracker: Sendable {
    private let entries: ZeroedBuffer<(key: UInt64, time: Int64)>
    private let mask: Int

    package init(slots: Int) {
        var n = 1024
        while n < slots { n <<= 1 }
        entries = ZeroedBuffer(count: n)
        mask = n - 1
    }

    @inline(__always)
    static func key(client: UInt64, resource: UInt64) -> UInt64 { ByteHash.combine(client, resource) | 1 }

    @inline(__always)
    package func recordRead(client: UInt64, resource: UInt64, at time: Int64) {
        let k = Self.key(client: client, resource: resource)
        entries.base[Int(truncatingIfNeeded: k >> 17) & mask] = (k, time)
    }

    /// Asks the CPU to bring the entry of (client, resource) into the cache.
    @inline(__always)
    func prefetch(client: UInt64, resource: UInt64) {
        let i = Int(truncatingIfNeeded: Self.key(client: client, resource: resource) >> 17) & mask
        cw_prefetch(entries.base + i)
    }

    /// The time of the client's last read of the resource, consumed (one read, one window).
    @inline(__always)
    package func takeRead(client: UInt64, resource: UInt64) -> Int64? {
        let k = Self.key(client: client, resource: resource)
        let i = Int(truncatingIfNeeded: k >> 17) & mask
        guard entries.base[i].key == k else { return nil }
        entries.base[i].key = 0
        return entries.base[i].time
    }
}
