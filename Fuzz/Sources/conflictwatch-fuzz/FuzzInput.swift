/// A fuzzer's bytes read as a stream of small decisions followed by payloads, so that one input
/// can drive a whole sequence of calls. Past the end every number reads as 0 and every payload
/// as empty: a short input is still a valid (short) sequence.
struct FuzzInput {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint16() -> Int { Int(byte()) << 8 | Int(byte()) }

    mutating func uint32() -> UInt32 { UInt32(uint16()) << 16 | UInt32(uint16()) }

    /// Up to `count` bytes (fewer at the end).
    mutating func take(_ count: Int) -> UnsafeRawBufferPointer {
        let n = max(0, min(count, bytes.count - position))
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + n])
    }

    mutating func rest() -> UnsafeRawBufferPointer { take(bytes.count - position) }
}

/// Calls `body` with each `\n`-separated line (without the newline) of `bytes`.
func forEachLine(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
    var start = 0
    while start <= bytes.count {
        var end = start
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        start = end + 1
    }
}

/// Splits at the first newline: the head (a format, templates) and what it applies to.
func splitFirstLine(_ bytes: UnsafeRawBufferPointer) -> (first: UnsafeRawBufferPointer, rest: UnsafeRawBufferPointer) {
    guard let nl = bytes.firstIndex(of: 0x0A) else { return (bytes, UnsafeRawBufferPointer(start: nil, count: 0)) }
    return (UnsafeRawBufferPointer(rebasing: bytes[..<nl]), UnsafeRawBufferPointer(rebasing: bytes[(nl + 1)...]))
}
