/// A received summary, checked once and then read record by record as `ExchangeView`s that
/// point into its own copy of the bytes (valid while this object lives). Bytes that are not a
/// whole summary — cut short, a length running past the end, another format — are refused
/// whole with `FleetSummaryError`, never read past.
public final class FleetSummaryRecords: @unchecked Sendable {
    private let base: UnsafeMutableRawBufferPointer
    /// Byte offset of each record.
    private let offsets: [Int]
    public let clock: Int64
    public var count: Int { offsets.count }

    public init(_ bytes: some Collection<UInt8>) throws(FleetSummaryError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        // One copy of contiguous bytes (an Array, PostgreSQL's ByteBuffer). Copying through the
        // collection's iterator, unspecialized across modules, was half of the fleet
        // aggregator's time (perf: 115 k lines/s).
        let copied = bytes.withContiguousStorageIfAvailable { src in
            buffer.copyMemory(from: UnsafeRawBufferPointer(src))
        } != nil
        if !copied { _ = buffer.initializeMemory(as: UInt8.self, from: bytes) }
        let n = bytes.count
        func fail(_ e: FleetSummaryError) -> FleetSummaryError {
            buffer.deallocate()
            return e
        }
        guard n >= FleetSummary.headerBytes else { throw fail(.truncated) }
        guard buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian == FleetSummaryWriter.magic else {
            throw fail(.notASummary)
        }
        let declared = Int(buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian)
        clock = Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        var offsets: [Int] = []
        // Each record takes at least the fixed part: a count beyond what the bytes can hold is a lie.
        guard declared <= (n - FleetSummary.headerBytes) / FleetSummaryWriter.fixedBytes else { throw fail(.truncated) }
        offsets.reserveCapacity(declared)
        var at = FleetSummary.headerBytes
        while at < n {
            guard n - at >= FleetSummaryWriter.fixedBytes else { throw fail(.truncated) }
            let lengths = Self.lengths(buffer, at)
            let end = at + FleetSummaryWriter.fixedBytes + lengths.client + lengths.method + lengths.path
            guard end <= n else { throw fail(.truncated) }
            offsets.append(at)
            at = end
        }
        guard offsets.count == declared else { throw fail(.countMismatch(declared: declared, found: offsets.count)) }
        base = buffer
        self.offsets = offsets
    }

    deinit { base.deallocate() }

    @inline(__always)
    private static func lengths(_ b: UnsafeMutableRawBufferPointer, _ at: Int) -> (client: Int, method: Int, path: Int) {
        (Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 20, as: UInt16.self))),
         Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 22, as: UInt16.self))),
         Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 24, as: UInt16.self))))
    }

    /// Record `i`'s time, without filling a view (the merge compares times only).
    @inline(__always)
    public func time(_ i: Int) -> Int64 {
        Int64(littleEndian: base.loadUnaligned(fromByteOffset: offsets[i], as: Int64.self))
    }

    /// Fills `x` with record `i` (fields this format does not carry are left unknown).
    @inline(__always)
    public func read(_ i: Int, into x: inout ExchangeView) {
        let at = offsets[i]
        x.reset()
        x.time = Int64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: Int64.self))
        x.latencyMicros = Int64(littleEndian: base.loadUnaligned(fromByteOffset: at + 8, as: Int64.self))
        x.status = Int32(littleEndian: base.loadUnaligned(fromByteOffset: at + 16, as: Int32.self))
        let l = Self.lengths(base, at)
        let strings = UnsafeRawPointer(base.baseAddress!) + at + FleetSummaryWriter.fixedBytes
        x.client = UnsafeRawBufferPointer(start: strings, count: l.client)
        x.method = UnsafeRawBufferPointer(start: strings + l.client, count: l.method)
        x.path = UnsafeRawBufferPointer(start: strings + l.client + l.method, count: l.path)
    }
}

/// Why a summary's bytes were refused.
public enum FleetSummaryError: Error, Equatable, CustomStringConvertible {
    case notASummary
    case truncated
    case countMismatch(declared: Int, found: Int)

    public var description: String {
        switch self {
        case .notASummary: "not a conflictwatch fleet summary (wrong magic)"
        case .truncated: "fleet summary cut short (a record runs past its end)"
        case .countMismatch(let d, let f): "fleet summary declares \(d) records but holds \(f)"
        }
    }
}
