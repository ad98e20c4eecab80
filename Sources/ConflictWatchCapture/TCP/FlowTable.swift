/// Flow key → connection index, for the reconstructor's one lookup per packet: open addressing
/// with linear probing and a multiply-xorshift hash of the key's fields (a `Dictionary` runs SipHash
/// on every packet), deletion by backward shift (no tombstones, so a long capture with millions
/// of short connections keeps its probes short). Grows at half full; never shrinks (bounded by
/// the reconstructor's max flows).
struct FlowTable {
    private var keys: [FlowKey]
    /// The connection index; -1 marks an empty slot.
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1_024) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = Array(repeating: FlowKey.zero, count: n)
        values = Array(repeating: -1, count: n)
        mask = n - 1
    }

    /// Every field folded in and then mixed so the low bits (the slot) depend on all of them.
    /// One multiply per field is not enough: a product's bit k depends only on input bits
    /// 0...k, and clients on consecutive addresses with consecutive ports then shared a handful
    /// of home slots (2,440 flows of a generated capture in 17 of 8,192: probe runs of ~150).
    @inline(__always)
    static func slot(_ k: FlowKey, _ mask: Int) -> Int {
        var h = k.a.high &* 0x9E37_79B9_7F4A_7C15 ^ k.a.low
        h = (h ^ h >> 29) &* 0xC2B2_AE3D_27D4_EB4F ^ k.b.high
        h = (h ^ h >> 29) &* 0x1656_67B1_9E37_79F9 ^ k.b.low
        h = (h ^ h >> 29) &* 0x9E37_79B9_7F4A_7C15 ^ (UInt64(k.portA) << 16 | UInt64(k.portB))
        h = (h ^ h >> 32) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Slots looked at to find `k` (1 when it sits in its home slot); for tests of the hash.
    func probes(_ k: FlowKey) -> Int {
        var i = Self.slot(k, mask)
        var n = 1
        while values[i] >= 0, keys[i] != k {
            i = (i + 1) & mask
            n += 1
        }
        return n
    }

    @inline(__always)
    func find(_ k: FlowKey) -> Int32? {
        var i = Self.slot(k, mask)
        while values[i] >= 0 {
            if keys[i] == k { return values[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Inserts or replaces.
    @inline(__always)
    mutating func set(_ k: FlowKey, _ v: Int32) {
        var i = Self.slot(k, mask)
        while values[i] >= 0 {
            if keys[i] == k { values[i] = v; return }
            i = (i + 1) & mask
        }
        if 2 * (count + 1) > values.count {
            grow()
            set(k, v)
            return
        }
        keys[i] = k
        values[i] = v
        count += 1
    }

    mutating func remove(_ k: FlowKey) {
        var i = Self.slot(k, mask)
        while values[i] >= 0 {
            if keys[i] == k { break }
            i = (i + 1) & mask
        }
        guard values[i] >= 0 else { return }
        // Backward shift: pull later entries of the probe run into the hole when their home
        // slot does not lie (cyclically) between the hole and them.
        var hole = i
        var j = (i + 1) & mask
        while values[j] >= 0 {
            let home = Self.slot(keys[j], mask)
            let fits = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)
            if fits {
                keys[hole] = keys[j]
                values[hole] = values[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        values[hole] = -1
        count -= 1
    }

    mutating func removeAll() {
        for i in values.indices { values[i] = -1 }
        count = 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: FlowKey.zero, count: oldValues.count * 2)
        values = Array(repeating: -1, count: oldValues.count * 2)
        mask = values.count - 1
        count = 0
        for i in oldValues.indices where oldValues[i] >= 0 { set(oldKeys[i], oldValues[i]) }
    }
}
