/// What a fleet agent ships (SPEC §7): every exchange it accounted since its last commit, in the
/// order it accounted them, with the fields the routes and the model read — time, status,
/// latency, client, method, path. The aggregator merges the agents' summaries by time and runs
/// the same analyzer on them, so the fleet's routes, hot spots and alerts are what one daemon
/// reading every web server's log would report. (Exact records rather than sketches: the
/// model's rules follow individual writes — writer sets, edit windows, retry loops — and a
/// sketch would make the fleet's model a different one; docs/fleet.md weighs the bytes.)
///
/// Appending copies the fields into one buffer, handed over whole at each commit and given back
/// once stored (`recycle`): no allocation per line, no copy, no fresh pages.
public struct FleetSummaryWriter: Sendable {
    /// "CWF1", little-endian.
    public static let magic: UInt32 = 0x3146_5743
    /// Bytes per record before its strings: time, latency (8 each), status, three lengths (2 each).
    static let fixedBytes = 8 + 8 + 4 + 2 + 2 + 2
    /// Longest client, method or path kept (longer ones are cut: a field this long is an attack
    /// or a broken log, and the route and the model never need more of it).
    public static let maxField = Int(UInt16.max)

    /// The summary being built: a header (filled in by `take`) and the records.
    private var records: [UInt8] = Self.freshBuffer(capacity: 0)
    public private(set) var count = 0
    public private(set) var firstTime: Int64 = .max
    public private(set) var lastTime: Int64 = .min

    public init() {}

    @inline(__always)
    public mutating func append(_ x: ExchangeView) {
        count += 1
        if x.time < firstTime { firstTime = x.time }
        if x.time > lastTime { lastTime = x.time }
        let client = x.client.count > Self.maxField ? UnsafeRawBufferPointer(rebasing: x.client[0..<Self.maxField]) : x.client
        let method = x.method.count > Self.maxField ? UnsafeRawBufferPointer(rebasing: x.method[0..<Self.maxField]) : x.method
        let path = x.path.count > Self.maxField ? UnsafeRawBufferPointer(rebasing: x.path[0..<Self.maxField]) : x.path
        // The fixed part in one append (its fields in order, no padding: 26 bytes), then the
        // strings: four appends a record instead of nine.
        let fixed = (x.time.littleEndian, x.latencyMicros.littleEndian, x.status.littleEndian,
                     UInt16(client.count).littleEndian, UInt16(method.count).littleEndian, UInt16(path.count).littleEndian)
        withUnsafeBytes(of: fixed) { records.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<Self.fixedBytes])) }
        records.append(contentsOf: client)
        records.append(contentsOf: method)
        records.append(contentsOf: path)
    }

    /// The bytes of a summary holding no exchange: the clock alone.
    public static func empty(clock: Int64) -> [UInt8] {
        var w = FleetSummaryWriter()
        return w.take(clock: clock).bytes
    }

    /// The summary of everything appended since the last take, stamped with the agent's traffic
    /// clock (how far its traffic has got, idle time included); the writer starts over. The
    /// buffer itself is handed over, its header filled in place: a second's summaries on a busy
    /// log are a hundred megabytes, and copying them cost the pipeline as much again.
    public mutating func take(clock: Int64) -> FleetSummary {
        records.withUnsafeMutableBytes { b in
            b.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
            b.storeBytes(of: UInt32(count).littleEndian, toByteOffset: 4, as: UInt32.self)
            b.storeBytes(of: clock.littleEndian, toByteOffset: 8, as: Int64.self)
        }
        let summary = FleetSummary(bytes: records, count: count, firstTime: count > 0 ? firstTime : nil,
                                   lastTime: count > 0 ? lastTime : nil, clock: clock)
        // The buffer comes back through `recycle` once its bytes are stored; until then (or if it
        // never does) a small one, which grows as any array does.
        records = Self.freshBuffer(capacity: 0)
        count = 0
        firstTime = .max
        lastTime = .min
        return summary
    }

    /// Takes back a summary's buffer once its bytes are stored, to write the next summary into:
    /// memory already mapped and as large as the last one needed. A fresh buffer each commit
    /// (a hundred megabytes a second on a fast log) cost the agent page faults on every page.
    /// `bytes` is left holding whatever small buffer the writer had.
    public mutating func recycle(_ bytes: inout [UInt8]) {
        guard count == 0, bytes.capacity > records.capacity else { return }
        swap(&records, &bytes)
        records.removeAll(keepingCapacity: true)
        records.append(contentsOf: repeatElement(0, count: FleetSummary.headerBytes))
    }

    /// An empty summary's buffer: room for the header.
    private static func freshBuffer(capacity: Int) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(max(capacity, 4096))
        b.append(contentsOf: repeatElement(0, count: FleetSummary.headerBytes))
        return b
    }
}
