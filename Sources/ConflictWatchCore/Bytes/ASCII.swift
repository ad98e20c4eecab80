#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte constants and classifiers used by the parsers. Kept as `@inlinable` free functions on
/// `UInt8` so the hot loops compile to plain comparisons.
enum ASCII {
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let quote: UInt8 = 0x22
    static let backslash: UInt8 = 0x5C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let dash: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let plus: UInt8 = 0x2B
    static let question: UInt8 = 0x3F
    static let openBracket: UInt8 = 0x5B
    static let closeBracket: UInt8 = 0x5D
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let at: UInt8 = 0x40
    static let equals: UInt8 = 0x3D
    static let underscore: UInt8 = 0x5F
    static let pipe: UInt8 = 0x7C
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let dollar: UInt8 = 0x24
    static let percent: UInt8 = 0x25

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isUpper(_ b: UInt8) -> Bool { b &- 0x41 < 26 }
    @inline(__always) static func isLower(_ b: UInt8) -> Bool { b &- 0x61 < 26 }
    @inline(__always) static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b | 0x20) &- 0x61 < 6
    }
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        if isDigit(b) { return b &- 0x30 }
        let l = b | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 &+ 10 }
        return nil
    }

    /// RFC 9110 `tchar`: what an HTTP method token may contain.
    @inline(__always) static func isTokenChar(_ b: UInt8) -> Bool {
        if isDigit(b) || isAlpha(b) { return true }
        switch b {
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }
}

// Inlinable: the capture decoder (another module) calls these per header field, and a call to a
// two-line function across modules was 3 % of a capture's reading thread.
extension UnsafeRawBufferPointer {
    /// An empty buffer that is safe to compare and hash; stands for "field absent".
    @inlinable @inline(__always) package static var empty: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

    /// Byte-wise equality with a static ASCII string, without creating a `String`.
    @inlinable @inline(__always) package func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        if count == 0 { return true }
        return memcmp(baseAddress!, literal.utf8Start, count) == 0
    }

    @inlinable @inline(__always) package func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        let n = count
        guard n == other.count else { return false }
        guard n > 0, let a = baseAddress, let b = other.baseAddress else { return true }
        // Up to 16 bytes (addresses, methods, most path segments) with two overlapping loads a
        // side rather than a call into libc: the call showed in perf under a fleet agent's
        // lookups of its clients (45–64 samples a run, 12–18 after).
        if n >= 8 {
            if n > 16 { return memcmp(a, b, n) == 0 }
            return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        // 1 to 3 bytes: the first, the middle and the last are all of them.
        return a.load(as: UInt8.self) == b.load(as: UInt8.self)
            && a.load(fromByteOffset: n >> 1, as: UInt8.self) == b.load(fromByteOffset: n >> 1, as: UInt8.self)
            && a.load(fromByteOffset: n - 1, as: UInt8.self) == b.load(fromByteOffset: n - 1, as: UInt8.self)
    }

    @inlinable @inline(__always) package func hasPrefix(_ literal: StaticString) -> Bool {
        guard count >= literal.utf8CodeUnitCount else { return false }
        return memcmp(baseAddress!, literal.utf8Start, literal.utf8CodeUnitCount) == 0
    }

    /// The sub-range `[from, to)` as a buffer; callers guarantee the bounds.
    @inlinable @inline(__always) package func slice(_ from: Int, _ to: Int) -> UnsafeRawBufferPointer {
        if from >= to { return .empty }
        return UnsafeRawBufferPointer(start: baseAddress! + from, count: to - from)
    }

    /// First index of `byte` at or after `from`, or nil; `memchr` does the scanning.
    @inlinable @inline(__always) package func firstIndex(of byte: UInt8, from: Int) -> Int? {
        guard from < count else { return nil }
        guard let p = memchr(baseAddress! + from, Int32(byte), count - from) else { return nil }
        return UnsafeRawPointer(p) - baseAddress!
    }

    /// Like `firstIndex(of:from:)` without the call: eight bytes per step (SWAR), cheaper than
    /// memchr for the short distances between fields (client, ident, status, bytes).
    @inlinable @inline(__always) package func firstIndexNear(of byte: UInt8, from: Int) -> Int? {
        guard let base = baseAddress else { return nil }
        return Self.scanNear(base, byte, from: from, to: count)
    }

    /// Checks the next 16 bytes eight at a time, then hands the rest to memchr: quick for short
    /// fields (`"-"`), still vectorised for long ones (user agents).
    @inlinable @inline(__always) package func firstIndexHybrid(of byte: UInt8, from: Int) -> Int? {
        guard let base = baseAddress else { return nil }
        let near = Swift.min(count, from + 16)
        if let i = Self.scanNear(base, byte, from: from, to: near) { return i }
        return firstIndex(of: byte, from: near)
    }

    /// First index of `byte` in `[from, to)`: whole words while eight bytes remain, then a byte
    /// loop. A word's bytes equal to `byte` become zero after the xor; `(v - 0x01…) & ~v & 0x80…`
    /// sets the high bit of the first zero byte exactly (a borrow can only mark bytes after it),
    /// and the lowest set bit is the first byte in memory on a little-endian machine.
    @inlinable @inline(__always)
    static func scanNear(_ base: UnsafeRawPointer, _ byte: UInt8, from: Int, to end: Int) -> Int? {
        var i = from
        #if _endian(little)
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= end {
            let v = base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            let found = (v &- 0x0101_0101_0101_0101) & ~v & 0x8080_8080_8080_8080
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        #endif
        while i < end {
            if base.load(fromByteOffset: i, as: UInt8.self) == byte { return i }
            i += 1
        }
        return nil
    }

    /// Parses an unsigned decimal integer occupying the whole buffer.
    @inline(__always) package func parseDecimal() -> Int64? {
        guard count > 0, count <= 18 else { return nil }
        var v: Int64 = 0
        for b in self {
            guard ASCII.isDigit(b) else { return nil }
            v = v &* 10 &+ Int64(b &- 0x30)
        }
        return v
    }

    /// True for the single byte "-", which access logs write for "no value".
    @inline(__always) package var isDash: Bool { count == 1 && self[0] == ASCII.dash }

    /// Owned copy as a `String`; invalid UTF-8 is repaired. Off the hot path only.
    package var lossyString: String { String(decoding: self, as: UTF8.self) }
}

