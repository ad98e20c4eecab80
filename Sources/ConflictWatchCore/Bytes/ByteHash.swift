/// A fast, non-cryptographic 64-bit hash over bytes (a reduced wyhash-style multiply-mix).
/// Used for hash tables and distinct counters on the hot path; it is not stable across releases,
/// so nothing persisted may depend on its values.
package enum ByteHash {
    @usableFromInline static let seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let p1: UInt64 = 0xA076_1D64_78BD_642F
    @usableFromInline static let p2: UInt64 = 0xE703_7ED1_A0B4_28DB

    @inline(__always) @usableFromInline
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    @inlinable
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed s: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var h = seed ^ s ^ UInt64(truncatingIfNeeded: n) &* p1
        guard n > 0, let base = bytes.baseAddress else { return mix(h, p2) }
        // Short inputs (most path segments, addresses) with overlapping loads, as wyhash does:
        // no byte loop.
        if n <= 16 {
            var a: UInt64, b: UInt64
            if n >= 8 {
                a = base.loadUnaligned(as: UInt64.self)
                b = base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                a = UInt64(base.loadUnaligned(as: UInt32.self))
                b = UInt64(base.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self))
            } else {
                a = UInt64(base.load(as: UInt8.self)) << 16
                    | UInt64(base.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8
                    | UInt64(base.load(fromByteOffset: n - 1, as: UInt8.self))
                b = 0
            }
            return mix(mix(a ^ p1, b ^ h), p2)
        }
        var i = 0
        while i + 16 <= n {
            let a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            h = mix(a ^ p1, b ^ h)
            i += 16
        }
        if i < n {
            // The last 16 bytes, overlapping what was already mixed.
            let a = base.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            h = mix(a ^ p2, b ^ h)
        }
        return mix(h, p2)
    }

    /// Combines a running hash with one more value (used for route prefixes segment by segment).
    @inlinable
    package static func combine(_ h: UInt64, _ v: UInt64) -> UInt64 { mix(h ^ p1, v ^ p2) }
}
