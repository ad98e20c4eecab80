/// Which methods are writes and which statuses are conflicts (model parameters, SPEC §1).
/// Checked per line, so both are byte-level: methods by length and bytes, statuses by a bitmap.
package struct TrafficClass: Sendable {
    /// Write methods of up to 8 bytes (all the usual ones) as (length, bytes packed into a
    /// word): the check runs three times per exchange (two prefetches and the accounting), and
    /// a `memcmp` per candidate was 2.4 % of `analyze`'s samples. Longer ones are compared bytewise.
    private var shortWriteMethods: [(count: Int, key: UInt64)] = []
    private var longWriteMethods: [[UInt8]] = []
    private var conflictBits: [UInt64] = Array(repeating: 0, count: 16)

    package init(writeMethods: [String], conflictStatuses: [Int]) {
        for m in writeMethods {
            let bytes = Array(m.utf8)
            if bytes.count <= 8 {
                shortWriteMethods.append((bytes.count, bytes.withUnsafeBytes { Self.packed($0) }))
            } else {
                longWriteMethods.append(bytes)
            }
        }
        for s in conflictStatuses where s >= 0 && s < 1024 { conflictBits[s >> 6] |= 1 << UInt64(s & 63) }
    }

    /// Up to 8 bytes as a little-endian word, zero above them. Whole-word loads, not a loop over
    /// the bytes (2 % of a daemon's accounting thread): from 4 bytes on, two 4-byte loads that
    /// overlap in the middle, where they agree, so the OR keeps the bytes as they are.
    @inline(__always)
    static func packed(_ b: UnsafeRawBufferPointer) -> UInt64 {
        let n = b.count
        guard n > 0, let p = b.baseAddress else { return 0 }
        if n >= 8 { return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }
        if n >= 4 {
            let low = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (n - 4))
        }
        var k = UInt64(p.load(as: UInt8.self))
        if n > 1 { k |= UInt64(p.load(fromByteOffset: 1, as: UInt8.self)) << 8 }
        if n > 2 { k |= UInt64(p.load(fromByteOffset: 2, as: UInt8.self)) << 16 }
        return k
    }

    @inline(__always)
    package func isWrite(_ method: UnsafeRawBufferPointer) -> Bool {
        let n = method.count
        if n <= 8 {
            let k = Self.packed(method)
            for m in shortWriteMethods where m.count == n && m.key == k { return true }
            return false
        }
        for m in longWriteMethods where m.count == n {
            if m.withUnsafeBytes({ method.equals($0) }) { return true }
        }
        return false
    }

    @inline(__always)
    package func isConflict(_ status: Int32) -> Bool {
        guard status >= 0, status < 1024 else { return false }
        return conflictBits[Int(status) >> 6] & (1 << UInt64(status & 63)) != 0
    }
}
