/// A fast, non-cryptographic 64-bit hash over bytes (a reduced wyhash-style multiply-mix).
/// Used for hash tables and distinct counters on the hot path; it is not stable across releases,
/// so nothing persisted may depend on its values.
public enum ByteHash {
    @usableFromInline static let seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let p1: UInt64 = 0xA076_1D64_78BD_642F
    @usableFromInline static let p2: UInt64 = 0xE703_7ED1_A0B4_28DB

    @inline(__always) @usableFromInline
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed s: UInt64 = 0) -> UInt64 {
        var h = seed ^ s ^ UInt64(truncatingIfNeeded: bytes.count) &* p1
        var i = 0
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return mix(h, p2) }
        while i + 16 <= n {
            let a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let b = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
            h = mix(a ^ p1, b ^ h)
            i += 16
        }
        if i + 8 <= n {
            h = mix(base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ p1, h ^ p2)
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = mix(tail ^ p2, h ^ p1)
        }
        return mix(h, p2)
    }

    /// Combines a running hash with one more value (used for route prefixes segment by segment).
    @inlinable
    public static func combine(_ h: UInt64, _ v: UInt64) -> UInt64 { mix(h ^ p1, v ^ p2) }
}
