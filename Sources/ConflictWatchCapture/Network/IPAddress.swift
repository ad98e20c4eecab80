#if canImport(Glibc)
import ConflictWatchCore
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An IPv4 or IPv6 address in two words, so flow keys hash and compare without allocation.
/// IPv4 lives in the low 32 bits of `low` with `high` zero and `isV6` false.
public struct IPAddress: Hashable, Sendable, Comparable {
    public var high: UInt64
    public var low: UInt64
    public var isV6: Bool

    @inline(__always) public init(v4: UInt32) {
        high = 0
        low = UInt64(v4)
        isV6 = false
    }

    @inline(__always) public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        isV6 = true
    }

    @inline(__always) public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.high != b.high { return a.high < b.high }
        if a.low != b.low { return a.low < b.low }
        return !a.isV6 && b.isV6
    }

    /// The usual text form (`10.0.0.1`, `::1`), once per connection.
    public var text: String {
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        if isV6 {
            var raw = (high.bigEndian, low.bigEndian)
            withUnsafeBytes(of: &raw) { p in _ = inet_ntop(AF_INET6, p.baseAddress, &out, socklen_t(out.count)) }
        } else {
            var raw = UInt32(truncatingIfNeeded: low).bigEndian
            withUnsafeBytes(of: &raw) { p in _ = inet_ntop(AF_INET, p.baseAddress, &out, socklen_t(out.count)) }
        }
        let end = out.firstIndex(of: 0) ?? out.count
        return String(decoding: out[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
