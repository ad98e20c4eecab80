/// The numbers of a fleet summary (CWF2): unsigned LEB128 — seven bits a byte, low bits first,
/// the high bit set on every byte but the last — and signed values zigzag-mapped first, so
/// that small magnitudes of either sign take one byte (a time step of 0, a latency of -1).
enum FleetVarint {
    /// The most bytes a 64-bit value takes.
    static let maxBytes = 10

    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }

    @inline(__always)
    static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    /// Writes `v` at `at` (room for `maxBytes` is the caller's) and moves `at` past it.
    @inline(__always)
    static func put(_ v: UInt64, _ out: UnsafeMutableRawBufferPointer, _ at: inout Int) {
        var v = v
        while v >= 0x80 {
            out[at] = UInt8(truncatingIfNeeded: v) | 0x80
            at += 1
            v >>= 7
        }
        out[at] = UInt8(truncatingIfNeeded: v)
        at += 1
    }

    /// Reads a value at `at`, before `end`, and moves `at` past it; nil when the bytes end
    /// first or the value runs past 64 bits (never reads beyond `end`).
    @inline(__always)
    static func get(_ b: UnsafeRawBufferPointer, _ at: inout Int, _ end: Int) -> UInt64? {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while at < end {
            let byte = b[at]
            at += 1
            if shift == 63 && byte > 1 { return nil }
            v |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return v }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
}
