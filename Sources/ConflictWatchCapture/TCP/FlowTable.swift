/// Flow key → connection index, for the reconstructor's one lookup per packet: open addressing
/// with linear probing and a multiply-shift hash of the key's fields (a `Dictionary` runs SipHash
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

    @inline(__always)
    static func slot(_ k: FlowKey, _ mask: Int) -> Int {
        var h = k.a.high ^ (k.b.high &* 0x9E37_79B9_7F4A_7C15)
        h = (h ^ k.a.low) &* 0xC2B2_AE3D_27D4_EB4F
        h = (h ^ k.b.low ^ (UInt64(k.portA) << 16 | UInt64(k.portB))) &* 0x1656_67B1_9E37_79F9
        return Int(truncatingIfNeeded: h >> 29) & mask
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
