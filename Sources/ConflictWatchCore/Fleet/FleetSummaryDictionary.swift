import CPrefetch

/// The strings a summary being written already holds (its clients or its methods),
/// so that a repeated one is written as its number. Found by the hash the analyzer computed
/// for the exchange anyway and confirmed by comparing the bytes where the summary holds them
/// (two strings with one hash are two entries, never one). Open addressing, grown on demand;
/// `reset` empties it at each take and keeps its memory for the next summary.
struct FleetSummaryDictionary {
    private struct Slot {
        var hash: UInt64
        var offset: Int
        var length: Int
        /// The string's number in the summary; -1 marks an empty slot.
        var number: Int32
        static let empty = Slot(hash: 0, offset: 0, length: 0, number: -1)
    }

    private var slots: [Slot] = []
    private(set) var count = 0
    static let initialSlots = 1024

    /// The number of `bytes` when the summary holds it already, else `~slot`: where `insert`
    /// puts it once its bytes are written. `summary` is the summary's buffer, where the bytes
    /// of the known strings are.
    @inline(__always)
    mutating func find(_ bytes: UnsafeRawBufferPointer, hash: UInt64, in summary: UnsafeRawBufferPointer) -> Int {
        // Grown before probing, so the slot handed back stays the right one until `insert`.
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        return slots.withUnsafeBufferPointer { s in
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let slot = s[i]
                if slot.number < 0 { return ~i }
                if slot.hash == hash, slot.length == bytes.count,
                   UnsafeRawBufferPointer(rebasing: summary[slot.offset..<slot.offset + slot.length]).equals(bytes) {
                    return Int(slot.number)
                }
                i = (i + 1) & mask
            }
        }
    }

    /// Asks the CPU for the slot `find` will probe first for `hash` and, once that slot is in
    /// the cache (`deep`, a few exchanges later), for the bytes of the string it holds: the
    /// table and the strings are looked up in no order, and `find` waited on both.
    @inline(__always)
    func prefetch(hash: UInt64, in summary: UnsafeRawBufferPointer, deep: Bool) {
        guard !slots.isEmpty else { return }
        slots.withUnsafeBufferPointer { s in
            let slot = s.baseAddress! + (Int(truncatingIfNeeded: hash) & (s.count - 1))
            guard deep else { return cw_prefetch(slot) }
            if slot.pointee.number >= 0, slot.pointee.offset < summary.count { cw_prefetch(summary.baseAddress! + slot.pointee.offset) }
        }
    }

    /// Records the string whose bytes the summary now holds at `offset`, under the next number,
    /// in the slot `find` gave.
    @inline(__always)
    mutating func insert(slot: Int, hash: UInt64, offset: Int, length: Int) {
        slots[slot] = Slot(hash: hash, offset: offset, length: length, number: Int32(truncatingIfNeeded: count))
        count += 1
    }

    /// Forgets every string (the next summary starts numbering again). A table that one big
    /// summary (a backlog caught up in one commit) grew far beyond what the last needed is
    /// given back.
    mutating func reset() {
        guard !slots.isEmpty else { return }
        let needed = max(Self.initialSlots, (count * 2).nextPowerOfTwo)
        if slots.count > needed * 4 {
            slots = Array(repeating: .empty, count: needed)
        } else if count > 0 {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: .empty) }
        }
        count = 0
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: .empty, count: max(Self.initialSlots, old.count * 2))
        let mask = slots.count - 1
        for slot in old where slot.number >= 0 {
            var i = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[i].number >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

extension Int {
    /// The smallest power of two at least `self` (1 for 0 and below).
    var nextPowerOfTwo: Int {
        self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
    }
}
