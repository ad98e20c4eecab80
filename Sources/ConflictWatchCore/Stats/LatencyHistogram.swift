/// Log-linear histogram of latencies in microseconds: 8 sub-buckets per power of two, so any
/// quantile is known within about 6%, in at most 2.5 KiB per route and no allocation per value.
package struct LatencyHistogram: Sendable {
    static let subBucketBits = 3
    static let subBuckets = 1 << subBucketBits
    static let bucketCount = subBuckets + (64 - subBucketBits) * subBuckets

    private var counts: [UInt32] = []
    package private(set) var total: UInt64 = 0
    /// Exact extremes: quantiles are clamped to them, so one sample reads back exactly.
    private var minimum: UInt64 = .max
    private var maximum: UInt64 = 0

    package init() {}

    @inline(__always)
    static func index(_ v: UInt64) -> Int {
        if v < UInt64(subBuckets) { return Int(v) }
        let e = 63 - v.leadingZeroBitCount
        let sub = Int(truncatingIfNeeded: v >> UInt64(e - subBucketBits)) & (subBuckets - 1)
        return subBuckets + (e - subBucketBits) * subBuckets + sub
    }

    /// Lower bound of bucket `i` and its width.
    static func bounds(_ i: Int) -> (low: UInt64, width: UInt64) {
        if i < subBuckets { return (UInt64(i), 1) }
        let e = (i - subBuckets) / subBuckets + subBucketBits
        let sub = UInt64((i - subBuckets) % subBuckets)
        let width = UInt64(1) << UInt64(e - subBucketBits)
        return ((UInt64(1) << UInt64(e)) + sub * width, width)
    }

    @inline(__always)
    package mutating func record(micros: Int64) {
        guard micros >= 0 else { return }
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.bucketCount) }
        let v = UInt64(micros)
        counts[Self.index(v)] &+= 1
        total &+= 1
        if v < minimum { minimum = v }
        if v > maximum { maximum = v }
    }

    /// The q-quantile (0…1) in microseconds, as the middle of its bucket; nil when empty.
    package func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, UInt64((q * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (i, c) in counts.enumerated() where c > 0 {
            seen += UInt64(c)
            if seen >= rank {
                let (low, width) = Self.bounds(i)
                let mid = Double(low) + Double(width - 1) / 2
                return min(max(mid, Double(minimum)), Double(maximum))
            }
        }
        return nil
    }

    package mutating func merge(_ other: LatencyHistogram) {
        guard other.total > 0 else { return }
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.bucketCount) }
        for i in 0..<Self.bucketCount { counts[i] &+= other.counts[i] }
        total &+= other.total
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
    }
}
