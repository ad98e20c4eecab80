/// Writes exchanges as CWF3 records (docs/fleet.md): the time as a step from the previous
/// record's, latency and status as varints, the client and the method as references to the
/// scope's dictionaries (0 and the bytes for one the scope has not held yet), then the path.
///
/// A *scope* is a run of blocks sharing dictionaries and the time step: the first block starts
/// it, the next ones continue it. A summary must start with a block that starts a scope, so it
/// stands alone; the daemon's reading thread, which encodes block after block without knowing
/// where the accounting will cut the next summary, keeps one scope going until asked for a new
/// one (`startScope`) — a summary's worth of clients is then written once, not once per batch
/// (per 512-exchange block, a third more bytes on the bench's log).
///
/// The dictionaries compare with their own copy of the scope's strings, not with the output,
/// so blocks can go to buffers that are reused meanwhile. That copy is kept as a preamble's
/// entries (kind, length, bytes), so each block hands on the strings it added
/// (`FleetSummaryBlock.definitions`) with one copy.
public struct FleetBlockEncoder: Sendable {
    private var clients = FleetSummaryDictionary()
    private var methods = FleetSummaryDictionary()
    /// Each of the scope's clients and methods once, as entries (kind, length, bytes).
    private var strings: [UInt8] = []
    /// Where the block being encoded began adding to `strings`.
    private var blockStrings = 0
    private var previousTime: Int64 = 0
    /// The next block starts a scope.
    public private(set) var startsScope = true

    /// A scope is ended by itself beyond this many strings or string bytes, so a long run
    /// between summaries (an agent whose commits fail) does not grow the tables without bound.
    static let maxScopeStrings = 1 << 16
    static let maxScopeBytes = 8 << 20

    public init() {}

    /// The next block starts a new scope.
    public mutating func startScope() {
        guard !startsScope else { return }
        clients.reset()
        methods.reset()
        strings.removeAll(keepingCapacity: true)
        previousTime = 0
        startsScope = true
    }

    /// Starts `block` (emptied first) in the current scope, or in a new one when asked for.
    public mutating func begin(_ block: inout FleetSummaryBlock) {
        block.reset()
        _ = open(in: &block.bytes)
        blockStrings = strings.count
    }

    /// Writes a block header at the end of `out`; returns where it is (for `close`).
    @inline(__always)
    mutating func open(in out: inout [UInt8]) -> Int {
        if clients.count + methods.count > Self.maxScopeStrings || strings.count > Self.maxScopeBytes { startScope() }
        let at = FleetSummaryBlock.open(in: &out, continuing: !startsScope)
        startsScope = false
        return at
    }

    /// Appends `x` to `block` (after `begin`).
    public mutating func append(_ x: ExchangeView, to block: inout FleetSummaryBlock) {
        append(x, clientHash: ByteHash.hash(x.client), to: &block)
    }

    /// Appends `x` to `block` (after `begin`); `clientHash` is `ByteHash.hash(x.client)`.
    @inline(__always)
    package mutating func append(_ x: ExchangeView, clientHash: UInt64, to block: inout FleetSummaryBlock) {
        block.count += 1
        if x.time < block.firstTime { block.firstTime = x.time }
        if x.time > block.lastTime { block.lastTime = x.time }
        append(x, clientHash: clientHash, to: &block.bytes)
    }

    /// Asks the CPU for what appending an exchange with this client will read: its dictionary
    /// slot, then (`deep`) the string there. Called for the exchanges a few ahead.
    @inline(__always)
    package func prefetch(clientHash: UInt64, deep: Bool) {
        strings.withUnsafeBytes { clients.prefetch(hash: clientHash, in: $0, deep: deep) }
    }

    /// Fills in `block`'s header and hands it the strings it added to the scope.
    public func end(_ block: inout FleetSummaryBlock) {
        FleetSummaryBlock.close(in: &block.bytes, at: 0, count: block.count)
        block.endTime = previousTime
        strings.withUnsafeBytes { block.definitions.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[blockStrings...])) }
    }

    /// Appends `x`'s record to `out`.
    @inline(__always)
    mutating func append(_ x: ExchangeView, clientHash: UInt64, to out: inout [UInt8]) {
        let client = Self.cut(x.client), method = Self.cut(x.method), path = Self.cut(x.path)
        let methodHash = ByteHash.hash(method)
        let (c, m) = strings.withUnsafeBytes { b in
            (clients.find(client, hash: clientHash, in: b), methods.find(method, hash: methodHash, in: b))
        }
        // The numbers in one append (at most 49 bytes: three values of up to ten, two
        // references of up to five with lengths of up to three, a length of up to three),
        // then the strings this scope has not held yet and the path.
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
        withUnsafeBytes(of: scratch) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        if c < 0 {
            clients.insert(slot: ~c, hash: clientHash, offset: define(client, kind: FleetSummaryBlock.clientEntry), length: client.count)
            out.append(contentsOf: client)
        }
        if m < 0 {
            methods.insert(slot: ~m, hash: methodHash, offset: define(method, kind: FleetSummaryBlock.methodEntry), length: method.count)
            out.append(contentsOf: method)
        }
        out.append(contentsOf: path)
    }

    /// Adds a string to the scope's entries; where its bytes are.
    @inline(__always)
    private mutating func define(_ bytes: UnsafeRawBufferPointer, kind: UInt8) -> Int {
        var head: (UInt64, UInt64) = (0, 0)
        let n = withUnsafeMutableBytes(of: &head) { h in
            h[0] = kind
            var at = 1
            FleetVarint.put(UInt64(bytes.count), h, &at)
            return at
        }
        withUnsafeBytes(of: head) { strings.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        let at = strings.count
        strings.append(contentsOf: bytes)
        return at
    }

    /// A string's reference: its number + 1 when the scope holds it, else 0 and its length.
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
        field.count > FleetSummaryWriter.maxField ? UnsafeRawBufferPointer(rebasing: field[0..<FleetSummaryWriter.maxField]) : field
    }
}
