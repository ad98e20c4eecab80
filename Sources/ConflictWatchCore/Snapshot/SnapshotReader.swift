/// Reads what `SnapshotWriter` wrote; any short or inconsistent read throws, and the caller
/// starts cold instead of trusting half a state.
struct SnapshotReader {
    struct Truncated: Error, CustomStringConvertible {
        var description: String { "the model snapshot is truncated or malformed" }
    }

    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int) throws(Truncated) -> Range<Int> {
        guard n >= 0, n <= bytes.count - offset else { throw Truncated() }
        defer { offset += n }
        return offset..<(offset + n)
    }

    mutating func u64() throws(Truncated) -> UInt64 {
        let r = try take(8)
        var v: UInt64 = 0
        for (i, b) in bytes[r].enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func int() throws(Truncated) -> Int64 { Int64(bitPattern: try u64()) }
    mutating func count(max limit: Int = 50_000_000) throws(Truncated) -> Int {
        let v = try int()
        guard v >= 0, v <= limit else { throw Truncated() }
        return Int(v)
    }

    mutating func u32() throws(Truncated) -> UInt32 {
        let r = try take(4)
        var v: UInt32 = 0
        for (i, b) in bytes[r].enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    mutating func double() throws(Truncated) -> Double { Double(bitPattern: try u64()) }
    mutating func bool() throws(Truncated) -> Bool { bytes[try take(1)].first! != 0 }

    mutating func data() throws(Truncated) -> ArraySlice<UInt8> {
        let n = try count(max: bytes.count)
        return bytes[try take(n)]
    }

    mutating func string() throws(Truncated) -> String { String(decoding: try data(), as: UTF8.self) }

    mutating func optionalInt() throws(Truncated) -> Int64? { try bool() ? try int() : nil }

    mutating func raw<T: BitwiseCopyable>(_: T.Type) throws(Truncated) -> T {
        let r = try take(MemoryLayout<T>.size)
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: r.lowerBound, as: T.self) }
    }
}
