import ConflictWatchCore

/// Reads every byte a parser's result points at. Views into freed or foreign memory are the
/// failure these parsers can have that a Swift bounds check does not catch; touching the bytes
/// lets AddressSanitizer see them.
enum ViewReader {
    /// Kept in a global so the reads are not optimised away.
    nonisolated(unsafe) static var checksum: UInt64 = 0

    static func read(_ b: UnsafeRawBufferPointer?) {
        guard let b else { return }
        var h = checksum
        for byte in b { h = (h &* 31) &+ UInt64(byte) }
        checksum = h
    }

    static func read(_ x: ExchangeView) {
        read(x.client)
        read(x.method)
        read(x.host)
        read(x.path)
        read(x.query)
        read(x.userAgent)
        read(x.requestID)
        checksum &+= UInt64(bitPattern: x.time &+ Int64(x.status) &+ x.bytes &+ x.latencyMicros)
    }
}
