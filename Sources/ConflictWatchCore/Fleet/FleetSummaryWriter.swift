/// What a fleet agent ships (SPEC §7): every exchange it accounted since its last commit, in the
/// order it accounted them, with the fields the routes and the model read — time, status,
/// latency, client, method, path. The aggregator merges the agents' summaries by time and runs
/// the same analyzer on them, so the fleet's routes, hot spots and alerts are what one daemon
/// reading every web server's log would report. (Exact records rather than sketches: the
/// model's rules follow individual writes — writer sets, edit windows, retry loops — and a
/// sketch would make the fleet's model a different one; docs/fleet.md weighs the bytes.)
///
/// Format CWF2 (docs/fleet.md): a 16-byte header (magic, record count, clock), then per record
/// the time as a step from the previous record's, the latency and the status as varints
/// (`FleetVarint`), the client and the method each as a reference — 0 for a string this
/// summary has not held yet (its length follows), n for the summary's n-th string of that
/// kind — and the path's length; then the bytes of the new strings and of the path. A busy
/// log's summary holds each client and method once: about half of CWF1's bytes (fixed
/// 26-byte records with every string written out), which the reader still takes. (Paths
/// through a dictionary too would save another third of the bytes, but looking up hundreds of
/// thousands of distinct paths per summary cost the agent's accounting thread more than
/// writing them out: docs/fleet.md has the figures.)
///
/// Appending writes into one buffer, handed over whole at each commit and given back once
/// stored (`recycle`): no allocation per line, no copy, no fresh pages.
public struct FleetSummaryWriter: Sendable {
    /// "CWF2", little-endian.
    public static let magic: UInt32 = 0x3246_5743
    /// "CWF1", little-endian: the fixed-record format of earlier releases (read, never written).
    public static let legacyMagic: UInt32 = 0x3146_5743
    /// Longest client, method or path kept (longer ones are cut: a field this long is an attack
    /// or a broken log, and the route and the model never need more of it).
    public static let maxField = Int(UInt16.max)

    /// The summary being built: a header (filled in by `take`) and the records.
    private var records: [UInt8] = Self.freshBuffer(capacity: 0)
    public private(set) var count = 0
    public private(set) var firstTime: Int64 = .max
    public private(set) var lastTime: Int64 = .min
    /// The previous record's time (the next one is written as a step from it).
    private var previousTime: Int64 = 0
    private var clients = FleetSummaryDictionary()
    private var methods = FleetSummaryDictionary()

    public init() {}

    public mutating func append(_ x: ExchangeView) {
        append(x, clientHash: ByteHash.hash(x.client))
    }

    /// Appends `x`, whose client hash (`ByteHash.hash`) the analyzer has computed.
    @inline(__always)
    package mutating func append(_ x: ExchangeView, clientHash: UInt64) {
        count += 1
        if x.time < firstTime { firstTime = x.time }
        if x.time > lastTime { lastTime = x.time }
        let client = Self.cut(x.client), method = Self.cut(x.method), path = Self.cut(x.path)
        let methodHash = ByteHash.hash(method)
        let (c, m) = records.withUnsafeBytes { b in
            (clients.find(client, hash: clientHash, in: b), methods.find(method, hash: methodHash, in: b))
        }
        // The numbers in one append (at most 49 bytes: three values of up to ten, two
        // references of up to five with lengths of up to three, a length of up to three),
        // then the strings this summary has not held yet and the path.
        var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &scratch) { s in
            var at = 0
            FleetVarint.put(FleetVarint.zigzag(x.time &- previousTime), s, &at)
            FleetVarint.put(FleetVarint.zigzag(x.latencyMicros), s, &at)
            FleetVarint.put(FleetVarint.zigzag(Int64(x.status)), s, &at)
            Self.putReference(c, length: client.count, s, &at)
            Self.putReference(m, length: method.count, s, &at)
            FleetVarint.put(UInt64(path.count), s, &at)
            return at
        }
        previousTime = x.time
        withUnsafeBytes(of: scratch) { records.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        if c < 0 {
            clients.insert(slot: ~c, hash: clientHash, offset: records.count, length: client.count)
            records.append(contentsOf: client)
        }
        if m < 0 {
            methods.insert(slot: ~m, hash: methodHash, offset: records.count, length: method.count)
            records.append(contentsOf: method)
        }
        records.append(contentsOf: path)
    }

    /// A string's reference: its number + 1 when the summary holds it, else 0 and its length.
    @inline(__always)
    private static func putReference(_ found: Int, length: Int, _ s: UnsafeMutableRawBufferPointer, _ at: inout Int) {
        if found >= 0 {
            FleetVarint.put(UInt64(found) + 1, s, &at)
        } else {
            FleetVarint.put(0, s, &at)
            FleetVarint.put(UInt64(length), s, &at)
        }
    }

    @inline(__always)
    private static func cut(_ field: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        field.count > maxField ? UnsafeRawBufferPointer(rebasing: field[0..<maxField]) : field
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
        previousTime = 0
        clients.reset()
        methods.reset()
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
