/// Every writing client's counts in the current bucket, in one flat array of entries with open
/// addressing: no dictionary, no allocation per client, one cache line per update; cleared in
/// O(used) when the bucket closes. Bounded: past `capacity` / 2 clients in one bucket, further
/// ones are not tracked.
struct ClientBuckets {
    static let labelBytes = 64

    struct Entry {
        var hash: UInt64 = 0
        var expected: Double = 0
        var writes: UInt32 = 0
        var conflicts: UInt32 = 0
        /// Route holding most of the client's conflicts (Boyer–Moore majority vote).
        var route: Int32 = -1
        var routeVotes: UInt32 = 0
        var labelLength: UInt8 = 0
    }

    let capacity: Int
    var entries: [Entry]
    var labels: [UInt8]
    var used: [Int] = []

    init(capacity requested: Int) {
        var c = 1024
        while c < requested { c <<= 1 }
        capacity = c
        entries = Array(repeating: Entry(), count: c)
        labels = Array(repeating: 0, count: c * Self.labelBytes)
        used.reserveCapacity(c / 2)
    }

    var count: Int { used.count }

    @inline(__always)
    mutating func record(_ h0: UInt64, label: UnsafeRawBufferPointer, ratio: Double, conflict: Bool, route ri: Int) {
        let h = h0 == 0 ? 1 : h0
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: h >> 7) & mask
        while entries[i].hash != 0 && entries[i].hash != h { i = (i + 1) & mask }
        if entries[i].hash == 0 {
            guard used.count < capacity / 2 else { return }
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
        guard conflict else { return }
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
