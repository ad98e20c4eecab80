/// Heavy hitters by the Space-Saving algorithm (Metwally et al.): `capacity` counters; an
/// unseen item replaces the smallest counter and inherits its count (so counts are upper
/// bounds, exact for items that stayed). Labels are kept in fixed inline slots, so counting
/// never allocates once the sketch exists.
package struct SpaceSaving: Sendable {
    package static let labelBytes = 80

    package let capacity: Int
    var hashes: [UInt64]
    var counts: [UInt32]
    var labelLengths: [UInt8]
    var labels: [UInt8]
    package internal(set) var total: UInt64 = 0

    package init(capacity: Int) {
        self.capacity = capacity
        hashes = Array(repeating: 0, count: capacity)
        counts = Array(repeating: 0, count: capacity)
        labelLengths = Array(repeating: 0, count: capacity)
        labels = Array(repeating: 0, count: capacity * Self.labelBytes)
    }

    @inline(__always)
    package mutating func add(hash h0: UInt64, label: UnsafeRawBufferPointer, count: UInt32 = 1) {
        let h = h0 == 0 ? 1 : h0
        total &+= UInt64(count)
        var minIndex = 0
        var minCount = UInt32.max
        for i in 0..<capacity {
            if hashes[i] == h {
                counts[i] &+= count
                return
            }
            if counts[i] < minCount { minCount = counts[i]; minIndex = i }
        }
        hashes[minIndex] = h
        counts[minIndex] = (minCount == 0 ? 0 : minCount) &+ count
        let n = min(label.count, Self.labelBytes)
        labelLengths[minIndex] = UInt8(n)
        if n > 0 {
            labels.withUnsafeMutableBytes { dst in
                (dst.baseAddress! + minIndex * Self.labelBytes).copyMemory(from: label.baseAddress!, byteCount: n)
            }
        }
    }

    package mutating func reset() {
        for i in 0..<capacity { hashes[i] = 0; counts[i] = 0; labelLengths[i] = 0 }
        total = 0
    }

    package var isEmpty: Bool { total == 0 }

    /// Items by descending count.
    package func top(_ n: Int) -> [(label: String, count: Int)] {
        var items: [(String, Int)] = []
        for i in 0..<capacity where counts[i] > 0 {
            let start = i * Self.labelBytes
            let label = String(decoding: labels[start..<(start + Int(labelLengths[i]))], as: UTF8.self)
            items.append((label, Int(counts[i])))
        }
        items.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(items.prefix(n))
    }

    /// Count of the largest item and its share of everything added.
    package var topShare: Double {
        guard total > 0 else { return 0 }
        return Double(counts.max() ?? 0) / Double(total)
    }

    package var distinctTracked: Int { counts.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    /// Every counted item: hash, label bytes and count.
    func forEach(_ body: (UInt64, UnsafeRawBufferPointer, UInt32) -> Void) {
        labels.withUnsafeBytes { buf in
            for i in 0..<capacity where counts[i] > 0 {
                let start = i * Self.labelBytes
                body(hashes[i], UnsafeRawBufferPointer(rebasing: buf[start..<(start + Int(labelLengths[i]))]), counts[i])
            }
        }
    }

    package mutating func merge(_ other: SpaceSaving) {
        for i in 0..<other.capacity where other.counts[i] > 0 {
            let start = i * Self.labelBytes
            other.labels.withUnsafeBytes { buf in
                add(hash: other.hashes[i], label: UnsafeRawBufferPointer(rebasing: buf[start..<(start + Int(other.labelLengths[i]))]), count: other.counts[i])
            }
        }
    }
}
