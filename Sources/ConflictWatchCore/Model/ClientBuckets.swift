import CPrefetch

/// Every writing client's counts in the current bucket, in one flat array of entries with open
/// addressing: no dictionary, no allocation per client, one cache line per update; cleared in
/// O(used) when the bucket closes. Bounded: past `capacity` / 2 clients in one bucket, further
/// ones are not tracked. The table starts small and doubles (up to `capacity`) when half full,
/// so a quiet daemon does not hold memory sized for the busiest bucket; `used` keeps the order
/// the clients came in whatever the size, so growing changes no result.
struct ClientBuckets {
    static let labelBytes = 64
    static let initialSlots = 1024

    struct Entry {
        var hash: UInt64 = 0
        var expected: Double = 0
        var writes: UInt32 = 0
        var conflicts: UInt32 = 0
        /// Route holding most of the client's conflicts (Boyer–Moore majority vote).
        var route: Int32 = -1
        var routeVotes: UInt32 = 0
        /// Conflicts of writes made right after the client's own read of the resource that
        /// were races lost to another client (`ContentionModel.isRace`).
        var informedRaces: UInt32 = 0
        var labelLength: UInt8 = 0
    }

    /// The bound: at most `capacity` / 2 clients per bucket.
    let capacity: Int
    /// The table's size now (a power of two, at most `capacity`).
    private(set) var slots: Int
    var entries: [Entry]
    var labels: [UInt8]
    var used: [Int] = []

    init(capacity requested: Int) {
        var c = Self.initialSlots
        while c < requested { c <<= 1 }
        capacity = c
        slots = min(c, Self.initialSlots)
        entries = Array(repeating: Entry(), count: slots)
        labels = Array(repeating: 0, count: slots * Self.labelBytes)
    }

    var count: Int { used.count }

    /// The slot of `h`: its own, or the empty one where it goes (nil when the bound is reached),
    /// doubling the table first when it is half full.
    @inline(__always)
    mutating func slot(for h: UInt64) -> (index: Int, isNew: Bool)? {
        var mask = slots - 1
        var i = Int(truncatingIfNeeded: h >> 7) & mask
        while entries[i].hash != 0 && entries[i].hash != h { i = (i + 1) & mask }
        if entries[i].hash == h { return (i, false) }
        if used.count >= slots / 2 {
            guard slots < capacity else { return nil }
            grow()
            mask = slots - 1
            i = Int(truncatingIfNeeded: h >> 7) & mask
            while entries[i].hash != 0 { i = (i + 1) & mask }
        }
        return (i, true)
    }

    private mutating func grow() {
        let oldEntries = entries, oldLabels = labels, oldUsed = used
        slots *= 2
        entries = Array(repeating: Entry(), count: slots)
        labels = Array(repeating: 0, count: slots * Self.labelBytes)
        used.removeAll(keepingCapacity: true)
        let mask = slots - 1
        for o in oldUsed {
            let e = oldEntries[o]
            var i = Int(truncatingIfNeeded: e.hash >> 7) & mask
            while entries[i].hash != 0 { i = (i + 1) & mask }
            entries[i] = e
            let from = o * Self.labelBytes, to = i * Self.labelBytes
            labels.replaceSubrange(to..<(to + Int(e.labelLength)), with: oldLabels[from..<(from + Int(e.labelLength))])
            used.append(i)
        }
    }

    /// Counts a write of the client; returns its slot (nil when the bound is reached) for
    /// `noteInformedRace`.
    @inline(__always) @discardableResult
    mutating func record(_ h0: UInt64, label: UnsafeRawBufferPointer, ratio: Double, conflict: Bool, route ri: Int) -> Int? {
        let h = h0 == 0 ? 1 : h0
        guard let (i, isNew) = slot(for: h) else { return nil }
        if isNew {
            entries[i].hash = h
            used.append(i)
            let n = min(label.count, Self.labelBytes)
            entries[i].labelLength = UInt8(n)
            if n > 0 {
                labels.withUnsafeMutableBytes { dst in
                    (dst.baseAddress! + i * Self.labelBytes).copyMemory(from: label.baseAddress!, byteCount: n)
                }
            }
        }
        entries[i].writes &+= 1
        entries[i].expected += ratio
        guard conflict else { return i }
        entries[i].conflicts &+= 1
        let r = Int32(ri)
        if entries[i].route == r {
            entries[i].routeVotes &+= 1
        } else if entries[i].routeVotes == 0 {
            entries[i].route = r
            entries[i].routeVotes = 1
        } else {
            entries[i].routeVotes &-= 1
        }
        return i
    }

    /// The conflict just recorded in slot `i` followed the client's fresh read and was a race
    /// lost to another client.
    @inline(__always)
    mutating func noteInformedRace(_ i: Int?) {
        if let i { entries[i].informedRaces &+= 1 }
    }

    /// Asks the CPU to bring the client's first probe slot into the cache.
    @inline(__always)
    func prefetch(_ h0: UInt64) {
        let h = h0 == 0 ? 1 : h0
        let i = Int(truncatingIfNeeded: h >> 7) & (slots - 1)
        entries.withUnsafeBufferPointer { cw_prefetch($0.baseAddress! + i) }
    }

    func label(_ i: Int) -> String { String(decoding: labelBytes(i), as: UTF8.self) }

    func labelBytes(_ i: Int) -> ArraySlice<UInt8> {
        let start = i * Self.labelBytes
        return labels[start..<(start + Int(entries[i].labelLength))]
    }

    mutating func clear() {
        for i in used { entries[i] = Entry() }
        used.removeAll(keepingCapacity: true)
    }
}
