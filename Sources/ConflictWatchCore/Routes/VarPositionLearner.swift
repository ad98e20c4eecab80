#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Learns which literal segment positions hold free-form values (`/users/alice`,
/// `/users/bob`, …): for each (route prefix, depth) it estimates the distinct values seen with a
/// 1024-bit linear-counting bitmap; past `threshold` distinct values the position becomes `{var}`.
/// Memory is fixed at construction: once `capacity` positions are tracked, new ones stay literal.
package struct VarPositionLearner {
    static let bitsPerPosition = 1024
    static let wordsPerPosition = bitsPerPosition / 64

    package let threshold: Int
    let capacity: Int
    var keys: [UInt64]
    /// Each slot's row in `bitmaps` (rows are handed out in the order positions are first
    /// seen). The bitmaps of every slot allocated up front were 2 MB of zeros written at start —
    /// in the accounting's learner and again in the reading thread's copy: a tenth of an idle
    /// daemon's memory for positions it had not seen.
    var rows: [Int32]
    var bitmaps: [UInt64] = []
    var setBits: [UInt16]
    var isVar: [Bool]
    var used = 0
    private let bitsNeeded: Int
    /// Bumped whenever a position becomes `{var}` (caches of routes check it).
    package internal(set) var generation = 0
    /// Bumped whenever anything a snapshot holds changes (a position tracked, a value's bit
    /// set), learned or not: a copy taken at another count is behind this one.
    package private(set) var changes: UInt64 = 0
    /// Positions that could not be tracked because the table was full.
    package private(set) var overflowed = 0

    package init(threshold: Int, capacity: Int = 16_384) {
        self.threshold = threshold
        var cap = 1
        while cap < capacity { cap <<= 1 }
        self.capacity = cap
        keys = Array(repeating: 0, count: cap)
        rows = Array(repeating: 0, count: cap)
        setBits = Array(repeating: 0, count: cap)
        isVar = Array(repeating: false, count: cap)
        // Linear counting: n distinct values set m(1 - e^(-n/m)) bits on average.
        let m = Double(Self.bitsPerPosition)
        bitsNeeded = max(1, Int((m * (1 - exp(-Double(threshold) / m))).rounded(.up)))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> (index: Int, found: Bool) {
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = keys[i]
            if k == key { return (i, true) }
            if k == 0 { return (i, false) }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    static func key(prefix: UInt64, depth: Int) -> UInt64 {
        ByteHash.combine(prefix, UInt64(depth)) | 1
    }

    /// Records `valueHash` at the position and says whether the position is now `{var}`.
    @inline(__always)
    package mutating func observe(prefix: UInt64, depth: Int, valueHash: UInt64) -> Bool {
        let key = Self.key(prefix: prefix, depth: depth)
        var (i, found) = slot(for: key)
        if !found {
            guard used * 4 < capacity * 3 else {
                overflowed &+= 1
                return false
            }
            claim(i, key: key)
            found = true
        }
        if isVar[i] { return true }
        let bit = Int(truncatingIfNeeded: valueHash >> 7) & (Self.bitsPerPosition - 1)
        let w = Int(rows[i]) * Self.wordsPerPosition + bit >> 6
        let m: UInt64 = 1 << UInt64(bit & 63)
        if bitmaps[w] & m == 0 {
            bitmaps[w] |= m
            setBits[i] += 1
            changes &+= 1
            if Int(setBits[i]) >= bitsNeeded {
                isVar[i] = true
                generation &+= 1
            }
        }
        return isVar[i]
    }

    /// Gives the empty slot `i` to `key`, with a fresh bitmap row.
    mutating func claim(_ i: Int, key: UInt64) {
        changes &+= 1
        keys[i] = key
        rows[i] = Int32(used)
        used += 1
        bitmaps.append(contentsOf: repeatElement(0, count: Self.wordsPerPosition))
    }

    /// Word `k` of slot `i`'s bitmap.
    func bitmapWord(_ i: Int, _ k: Int) -> UInt64 { bitmaps[Int(rows[i]) * Self.wordsPerPosition + k] }

    /// Whether the position has been learned as `{var}`, without recording anything.
    @inline(__always)
    package func isVariable(prefix: UInt64, depth: Int) -> Bool {
        let (i, found) = slot(for: Self.key(prefix: prefix, depth: depth))
        return found && isVar[i]
    }
}
