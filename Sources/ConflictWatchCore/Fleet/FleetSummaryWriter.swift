/// What a fleet agent ships (SPEC §7): every exchange it accounted since its last commit, in the
/// order it accounted them, with the fields the routes and the model read — time, status,
/// latency, client, method, path. The aggregator merges the agents' summaries by time and runs
/// the same analyzer on them, so the fleet's routes, hot spots and alerts are what one daemon
/// reading every web server's log would report. (Exact records rather than sketches: the
/// model's rules follow individual writes — writer sets, edit windows, retry loops — and a
/// sketch would make the fleet's model a different one; docs/fleet.md weighs the bytes.)
///
/// Format CWF3 (docs/fleet.md): a 16-byte header (magic, record count, clock), then blocks of
/// records (`FleetSummaryBlock`, `FleetBlockEncoder`): per record the time as a step from the
/// previous record's, the latency and the status as varints (`FleetVarint`), the client and the
/// method each as a reference — 0 for a string the scope has not held yet (its length follows),
/// n for the scope's n-th string of that kind — and the path's length; then the bytes of the
/// new strings and of the path. A busy log's summary holds each client and method about once:
/// about half of CWF1's bytes (fixed 26-byte records with every string written out), which the
/// reader still takes, as it takes CWF2 (one scope, no block headers). (Paths through a
/// dictionary too would save another third of the bytes, but looking up hundreds of thousands
/// of distinct paths per summary cost more than writing them out: docs/fleet.md has the
/// figures.)
///
/// Blocks come two ways. The daemon's reading thread encodes each batch as a block
/// (`FleetBlockEncoder`) and the accounting thread copies it in whole (`absorb`): the encoding
/// is off the busier thread. Exchanges accounted one by one (live captures, one thread) are
/// encoded here (`append`), into blocks of their own scope.
///
/// Appending writes into one buffer, handed over whole at each commit and given back once
/// stored (`recycle`): no allocation per line, no copy, no fresh pages.
public struct FleetSummaryWriter: Sendable {
    /// "CWF3", little-endian.
    public static let magic: UInt32 = 0x3346_5743
    /// "CWF2", little-endian: one scope without block headers (read, no longer written).
    public static let scopeMagic: UInt32 = 0x3246_5743
    /// "CWF1", little-endian: the fixed-record format of earlier releases (read, never written).
    public static let legacyMagic: UInt32 = 0x3146_5743
    /// Longest client, method or path kept (longer ones are cut: a field this long is an attack
    /// or a broken log, and the route and the model never need more of it).
    public static let maxField = Int(UInt16.max)

    /// The summary being built: a header (filled in by `take`) and the blocks.
    private var records: [UInt8] = Self.freshBuffer(capacity: 0)
    /// A stored summary's buffer given back while the next summary was already being written
    /// (the daemon commits on another thread and accounts on meanwhile): the summary after it
    /// is written into it.
    private var spare: [UInt8] = []
    public private(set) var count = 0
    public private(set) var firstTime: Int64 = .max
    public private(set) var lastTime: Int64 = .min
    /// Encodes what `append` is given, each of its blocks a scope of its own.
    private var encoder = FleetBlockEncoder()
    /// Where the block `append` writes into starts, and how many records it holds; nil when the
    /// last block is closed.
    private var openBlock: Int?
    private var openCount = 0
    /// The last block was absorbed: one continuing its scope may follow it as it is.
    private var absorbedLast = false
    /// The scope of the blocks absorbed, as far as they went: its strings (entries) and last
    /// time, for a preamble when its next block opens a summary. Valid once a block starting
    /// it was absorbed and every later one of it since.
    private var scopeDefinitions: [UInt8] = []
    private var scopeTime: Int64 = 0
    private var scopeKnown = false

    public init() {}

    public mutating func append(_ x: ExchangeView) {
        append(x, clientHash: ByteHash.hash(x.client))
    }

    /// Appends `x`, whose client hash (`ByteHash.hash`) the analyzer has computed.
    @inline(__always)
    package mutating func append(_ x: ExchangeView, clientHash: UInt64) {
        if openBlock == nil {
            encoder.startScope()
            openBlock = encoder.open(in: &records)
            openCount = 0
            absorbedLast = false
        }
        count += 1
        openCount += 1
        if x.time < firstTime { firstTime = x.time }
        if x.time > lastTime { lastTime = x.time }
        encoder.append(x, clientHash: clientHash, to: &records)
    }

    /// Whether `block` can be absorbed: one starting a scope always, one continuing a scope
    /// when every earlier block of that scope was absorbed (in order, from one encoder), here or
    /// in an earlier summary.
    public func canAbsorb(_ block: FleetSummaryBlock) -> Bool {
        block.startsScope || scopeKnown
    }

    /// Appends an encoded block's records (a copy of its bytes); `canAbsorb` must hold. A block
    /// continuing a scope that this summary has not held so far gets a preamble first: the
    /// scope's strings and time, so the summary still stands alone.
    public mutating func absorb(_ block: FleetSummaryBlock) {
        precondition(canAbsorb(block), "a fleet summary block continues a scope this summary cannot define")
        closeBlock()
        if block.startsScope {
            scopeDefinitions.removeAll(keepingCapacity: true)
            scopeKnown = true
        } else if !absorbedLast {
            writePreamble()
        }
        scopeDefinitions.append(contentsOf: block.definitions)
        scopeTime = block.endTime
        absorbedLast = true
        guard block.count > 0 else { return }
        LargeBuffer.reserve(&records, extra: block.bytes.count)
        records.append(contentsOf: block.bytes)
        count += block.count
        if block.firstTime < firstTime { firstTime = block.firstTime }
        if block.lastTime > lastTime { lastTime = block.lastTime }
    }

    /// A block of no records that starts the absorbed blocks' scope where it stands.
    private mutating func writePreamble() {
        let at = FleetSummaryBlock.open(in: &records, continuing: false)
        records[at + 8] = FleetSummaryBlock.preamble
        var head: (UInt64, UInt64) = (0, 0)
        let n = withUnsafeMutableBytes(of: &head) { h in
            var i = 0
            FleetVarint.put(FleetVarint.zigzag(scopeTime), h, &i)
            return i
        }
        withUnsafeBytes(of: head) { records.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        records.append(contentsOf: scopeDefinitions)
        FleetSummaryBlock.close(in: &records, at: at, count: 0)
    }

    private mutating func closeBlock() {
        guard let at = openBlock else { return }
        FleetSummaryBlock.close(in: &records, at: at, count: openCount)
        openBlock = nil
        openCount = 0
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
        closeBlock()
        records.withUnsafeMutableBytes { b in
            b.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
            b.storeBytes(of: UInt32(count).littleEndian, toByteOffset: 4, as: UInt32.self)
            b.storeBytes(of: clock.littleEndian, toByteOffset: 8, as: Int64.self)
        }
        let summary = FleetSummary(bytes: records, count: count, firstTime: count > 0 ? firstTime : nil,
                                   lastTime: count > 0 ? lastTime : nil, clock: clock)
        // The buffer comes back through `recycle` once its bytes are stored; until then (or if it
        // never does) the one given back before, or a small one, which grows as any array does.
        if spare.capacity > 0 {
            records = []
            swap(&records, &spare)
            Self.startOver(&records)
        } else {
            records = Self.freshBuffer(capacity: 0)
        }
        count = 0
        firstTime = .max
        lastTime = .min
        absorbedLast = false
        return summary
    }

    /// Takes back a summary's buffer once its bytes are stored, to write the next summary into:
    /// memory already mapped and as large as the last one needed. A fresh buffer each commit
    /// (a hundred megabytes a second on a fast log) cost the agent page faults on every page.
    /// With records already pending, the buffer is kept for the summary after them. `bytes` is
    /// left holding whatever buffer the writer does not need.
    public mutating func recycle(_ bytes: inout [UInt8]) {
        guard count > 0 else {
            guard bytes.capacity > records.capacity else { return }
            swap(&records, &bytes)
            Self.startOver(&records)
            return
        }
        if bytes.capacity > spare.capacity { swap(&spare, &bytes) }
    }

    /// An empty summary's buffer: room for the header.
    private static func freshBuffer(capacity: Int) -> [UInt8] {
        var b: [UInt8] = []
        b.reserveCapacity(max(capacity, 4096))
        startOver(&b)
        return b
    }

    /// Empties `buffer`, keeping its memory, down to the header's room.
    private static func startOver(_ buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: FleetSummary.headerBytes))
    }
}
