/// A received summary, checked and decoded once, then read record by record as `ExchangeView`s
/// that point into its own copy of the bytes (valid while this object lives). Takes both
/// formats: CWF2, which agents write, and CWF1, which agents of earlier releases may have left
/// in a database or an outbox. Bytes that are not a whole summary — cut short, a length
/// running past the end, a reference to a string not yet defined, another format — are
/// refused whole with `FleetSummaryError`, never read past.
public final class FleetSummaryRecords: @unchecked Sendable {
    /// One record's fields; its strings are indices into `spans`.
    private struct Record {
        var time: Int64
        var latency: Int64
        var status: Int32
        var client: Int32
        var method: Int32
        var path: Int32
    }

    private struct Span {
        var offset: Int
        var length: Int
    }

    /// CWF1's record before its strings: time, latency (8 each), status, three lengths (2 each).
    static let legacyFixedBytes = 8 + 8 + 4 + 2 + 2 + 2
    /// The shortest CWF2 record: three one-byte values, two one-byte references, a zero length.
    static let minimumRecordBytes = 6

    private let base: UnsafeMutableRawBufferPointer
    private let records: [Record]
    private let spans: [Span]
    public let clock: Int64
    public var count: Int { records.count }

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
        let magic = buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
        guard magic == FleetSummaryWriter.magic || magic == FleetSummaryWriter.legacyMagic else { throw fail(.notASummary) }
        let declared = Int(buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian)
        clock = Int64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        // Each record takes at least its format's shortest: a count beyond what the bytes can
        // hold is a lie (and must not size the arrays).
        let shortest = magic == FleetSummaryWriter.magic ? Self.minimumRecordBytes : Self.legacyFixedBytes
        guard declared <= (n - FleetSummary.headerBytes) / shortest else { throw fail(.truncated) }
        let decoded = magic == FleetSummaryWriter.magic
            ? Self.decode(UnsafeRawBufferPointer(buffer), count: n, declared: declared)
            : Self.decodeLegacy(UnsafeRawBufferPointer(buffer), count: n, declared: declared)
        switch decoded {
        case .failure(let e): throw fail(e)
        case .success(let (records, spans)):
            guard records.count == declared else { throw fail(.countMismatch(declared: declared, found: records.count)) }
            self.records = records
            self.spans = spans
        }
        base = buffer
    }

    deinit { base.deallocate() }

    private static func decode(_ b: UnsafeRawBufferPointer, count n: Int, declared: Int)
        -> Result<([Record], [Span]), FleetSummaryError> {
        var records: [Record] = []
        records.reserveCapacity(declared)
        var spans: [Span] = []
        // The clients and the methods by their number in the summary: where they are in `spans`.
        var clients: [Int32] = [], methods: [Int32] = []
        var at = FleetSummary.headerBytes
        var time: Int64 = 0
        /// A reference: 0 and a length for a new string, else the string's number + 1.
        func reference() -> (known: UInt64, length: Int)? {
            guard let ref = FleetVarint.get(b, &at, n) else { return nil }
            if ref != 0 { return (ref, 0) }
            guard let length = FleetVarint.get(b, &at, n) else { return nil }
            return (0, Int(clamping: length))
        }
        while at < n {
            guard let step = FleetVarint.get(b, &at, n), let latency = FleetVarint.get(b, &at, n),
                  let status = FleetVarint.get(b, &at, n), let client = reference(), let method = reference(),
                  let pathLength = FleetVarint.get(b, &at, n) else { return .failure(.truncated) }
            time = time &+ FleetVarint.unzigzag(step)
            guard let status = Int32(exactly: FleetVarint.unzigzag(status)) else { return .failure(.malformed) }
            let limit = FleetSummaryWriter.maxField
            guard client.length <= limit, method.length <= limit, pathLength <= UInt64(limit) else { return .failure(.malformed) }
            // The new strings' bytes and the path's, in that order.
            guard n - at >= client.length + method.length + Int(pathLength) else { return .failure(.truncated) }
            func string(_ ref: (known: UInt64, length: Int), _ table: inout [Int32]) -> Int32? {
                if ref.known != 0 {
                    // A reference to a string this summary has not defined (yet).
                    return ref.known <= UInt64(table.count) ? table[Int(ref.known - 1)] : nil
                }
                spans.append(Span(offset: at, length: ref.length))
                at += ref.length
                table.append(Int32(spans.count - 1))
                return Int32(spans.count - 1)
            }
            guard let c = string(client, &clients), let m = string(method, &methods) else { return .failure(.malformed) }
            spans.append(Span(offset: at, length: Int(pathLength)))
            at += Int(pathLength)
            records.append(Record(time: time, latency: FleetVarint.unzigzag(latency), status: status,
                                  client: c, method: m, path: Int32(spans.count - 1)))
        }
        return .success((records, spans))
    }

    private static func decodeLegacy(_ b: UnsafeRawBufferPointer, count n: Int, declared: Int)
        -> Result<([Record], [Span]), FleetSummaryError> {
        var records: [Record] = []
        records.reserveCapacity(declared)
        var spans: [Span] = []
        spans.reserveCapacity(declared * 3)
        var at = FleetSummary.headerBytes
        while at < n {
            guard n - at >= legacyFixedBytes else { return .failure(.truncated) }
            let c = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 20, as: UInt16.self)))
            let m = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 22, as: UInt16.self)))
            let p = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 24, as: UInt16.self)))
            let strings = at + legacyFixedBytes
            guard strings + c + m + p <= n else { return .failure(.truncated) }
            let first = Int32(spans.count)
            spans.append(Span(offset: strings, length: c))
            spans.append(Span(offset: strings + c, length: m))
            spans.append(Span(offset: strings + c + m, length: p))
            records.append(Record(time: Int64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: Int64.self)),
                                  latency: Int64(littleEndian: b.loadUnaligned(fromByteOffset: at + 8, as: Int64.self)),
                                  status: Int32(littleEndian: b.loadUnaligned(fromByteOffset: at + 16, as: Int32.self)),
                                  client: first, method: first + 1, path: first + 2))
            at = strings + c + m + p
        }
        return .success((records, spans))
    }

    /// Record `i`'s time, without filling a view (the merge compares times only).
    @inline(__always)
    public func time(_ i: Int) -> Int64 { records[i].time }

    /// Fills `x` with record `i` (fields this format does not carry are left unknown).
    @inline(__always)
    public func read(_ i: Int, into x: inout ExchangeView) {
        let r = records[i]
        x.reset()
        x.time = r.time
        x.latencyMicros = r.latency
        x.status = r.status
        x.client = string(r.client)
        x.method = string(r.method)
        x.path = string(r.path)
    }

    @inline(__always)
    private func string(_ i: Int32) -> UnsafeRawBufferPointer {
        let s = spans[Int(i)]
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(base.baseAddress!) + s.offset, count: s.length)
    }
}

/// Why a summary's bytes were refused.
public enum FleetSummaryError: Error, Equatable, CustomStringConvertible {
    case notASummary
    case truncated
    case countMismatch(declared: Int, found: Int)
    case malformed

    public var description: String {
        switch self {
        case .notASummary: "not a conflictwatch fleet summary (wrong magic)"
        case .truncated: "fleet summary cut short (a record runs past its end)"
        case .countMismatch(let d, let f): "fleet summary declares \(d) records but holds \(f)"
        case .malformed: "fleet summary record malformed (a reference to a string not defined yet, or a value out of range)"
        }
    }
}
