/// A received summary, checked once whole, then read record by record as `ExchangeView`s that
/// point into its bytes (valid while this object lives). Takes every format: CWF3, which agents
/// write, and CWF2 and CWF1, which agents of earlier releases may have left in a database or an
/// outbox.
/// Bytes that are not a whole summary — cut short, a length running past the end, a reference
/// to a string not yet defined, another format — are refused whole with `FleetSummaryError`,
/// never read past.
///
/// The merge reads each summary's records in order, so they are decoded again as it goes (a
/// `Cursor`) rather than kept: the check keeps only the clients' and methods' places.
/// Decoded arrays of every record (48 bytes a record, fresh memory for every summary) cost the
/// fleet aggregator more in page faults than the second decoding does.
public final class FleetSummaryRecords: @unchecked Sendable {
    /// Where a string is in the bytes.
    fileprivate struct Span {
        var offset: Int
        var length: Int
    }

    /// Where a record's references point: the dictionaries' entries from `clientBase` and
    /// `methodBase` on (the scope's), of the `clients` and `methods` defined so far.
    private struct Scope {
        var clientBase = 0
        var clients = 0
        var methodBase = 0
        var methods = 0

        /// A block starting a scope: the strings defined so far are out of reach.
        mutating func restart() {
            clientBase = clients
            methodBase = methods
        }
    }

    /// The record under the cursor.
    private struct Current {
        var time: Int64 = 0
        var latency: Int64 = 0
        var status: Int32 = 0
        var client = Span(offset: 0, length: 0)
        var method = Span(offset: 0, length: 0)
        var path = Span(offset: 0, length: 0)
    }

    /// CWF1's record before its strings: time, latency (8 each), status, three lengths (2 each).
    static let legacyFixedBytes = 8 + 8 + 4 + 2 + 2 + 2
    /// The shortest CWF2 record: three one-byte values, two one-byte references, a zero length.
    static let minimumRecordBytes = 6

    private let base: UnsafeRawBufferPointer
    /// Our copy of the bytes, when they were not lent with an owner.
    private let copy: UnsafeMutableRawBufferPointer?
    /// Keeps lent bytes alive (a PostgreSQL row's buffer).
    private let owner: AnyObject?
    private let format: Format
    /// The dictionaries' strings, in the order the summary defines them (every scope's).
    private let clients: [Span]
    private let methods: [Span]
    public let clock: Int64
    public let count: Int

    fileprivate enum Format { case blocks, scope, legacy }

    /// For `time` and `read`.
    private var cursor: Cursor

    /// Copies `bytes` and checks them.
    public convenience init(_ bytes: some Collection<UInt8>) throws(FleetSummaryError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        // One copy of contiguous bytes (an Array, PostgreSQL's ByteBuffer). Copying through the
        // collection's iterator, unspecialized across modules, was half of the fleet
        // aggregator's time (perf: 115 k lines/s).
        let copied = bytes.withContiguousStorageIfAvailable { src in
            buffer.copyMemory(from: UnsafeRawBufferPointer(src))
        } != nil
        if !copied { _ = buffer.initializeMemory(as: UInt8.self, from: bytes) }
        do {
            try self.init(UnsafeRawBufferPointer(start: buffer.baseAddress, count: bytes.count), copy: buffer, owner: nil)
        } catch {
            buffer.deallocate()
            throw error
        }
    }

    /// Checks `bytes`, which `owner` keeps alive (and unchanged) for as long as this object
    /// lives: no copy.
    public convenience init(borrowing bytes: UnsafeRawBufferPointer, owner: AnyObject) throws(FleetSummaryError) {
        try self.init(bytes, copy: nil, owner: owner)
    }

    private init(_ b: UnsafeRawBufferPointer, copy: UnsafeMutableRawBufferPointer?, owner: AnyObject?) throws(FleetSummaryError) {
        let n = b.count
        guard n >= FleetSummary.headerBytes else { throw .truncated }
        let magic = b.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
        let format: Format
        switch magic {
        case FleetSummaryWriter.magic: format = .blocks
        case FleetSummaryWriter.scopeMagic: format = .scope
        case FleetSummaryWriter.legacyMagic: format = .legacy
        default: throw .notASummary
        }
        let declared = Int(b.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian)
        // Each record takes at least its format's shortest: a count beyond what the bytes can
        // hold is a lie.
        let shortest = format == .legacy ? Self.legacyFixedBytes : Self.minimumRecordBytes
        guard declared <= (n - FleetSummary.headerBytes) / shortest else { throw .truncated }
        var clients: [Span] = [], methods: [Span] = []
        var found = 0
        var at = FleetSummary.headerBytes
        var current = Current()
        var scope = Scope()
        switch format {
        case .legacy:
            while at < n {
                guard Self.legacyRecord(b, &at, n, into: &current) else { throw .truncated }
                found += 1
            }
        case .scope:
            while at < n {
                if let bad = Self.record(b, &at, n, into: &current, scope: &scope, clients: &clients, methods: &methods, defining: true) {
                    throw bad
                }
                found += 1
            }
        case .blocks:
            while at < n {
                guard let block = Self.blockHeader(b, &at, n) else { throw .truncated }
                // The first block must start a scope: the summary stands alone.
                if !block.startsScope && at == FleetSummary.headerBytes + FleetSummaryBlock.headerBytes { throw .malformed }
                if let bad = Self.enter(block, b, &at, into: &current, scope: &scope, clients: &clients, methods: &methods, defining: true) {
                    throw bad
                }
                // Every record within its block, and the block exactly filled (a preamble holds none).
                for _ in 0..<block.count {
                    if let bad = Self.record(b, &at, block.end, into: &current, scope: &scope, clients: &clients, methods: &methods, defining: true) {
                        throw bad
                    }
                }
                guard at == block.end else { throw .malformed }
                found += block.count
                guard found <= declared else { throw .countMismatch(declared: declared, found: found) }
            }
        }
        guard found == declared else { throw .countMismatch(declared: declared, found: found) }
        base = b
        self.copy = copy
        self.owner = owner
        self.format = format
        self.clients = clients
        self.methods = methods
        clock = Int64(littleEndian: b.loadUnaligned(fromByteOffset: 8, as: Int64.self))
        count = declared
        cursor = Cursor(base: b, format: format, clients: clients, methods: methods, count: declared)
    }

    deinit { copy?.deallocate() }

    /// Decodes the CWF2 record at `at` into `x` (its time a step from `x`'s) and moves past it;
    /// nil when it is whole, else why not. `defining`: the record's new strings are appended to
    /// the dictionaries (the check); otherwise they are there already (the read).
    @inline(__always)
    private static func record(
        _ b: UnsafeRawBufferPointer, _ at: inout Int, _ n: Int, into x: inout Current, scope: inout Scope,
        clients: inout [Span], methods: inout [Span], defining: Bool
    ) -> FleetSummaryError? {
        /// A reference: 0 and a length for a new string, else the string's number + 1.
        func reference() -> (known: UInt64, length: Int)? {
            guard let ref = FleetVarint.get(b, &at, n) else { return nil }
            if ref != 0 { return (ref, 0) }
            guard let length = FleetVarint.get(b, &at, n) else { return nil }
            return (0, Int(clamping: length))
        }
        guard let step = FleetVarint.get(b, &at, n), let latency = FleetVarint.get(b, &at, n),
              let status = FleetVarint.get(b, &at, n), let client = reference(), let method = reference(),
              let pathLength = FleetVarint.get(b, &at, n) else { return .truncated }
        guard let status = Int32(exactly: FleetVarint.unzigzag(status)) else { return .malformed }
        let limit = FleetSummaryWriter.maxField
        guard client.length <= limit, method.length <= limit, pathLength <= UInt64(limit) else { return .malformed }
        // The new strings' bytes and the path's, in that order.
        guard n - at >= client.length + method.length + Int(pathLength) else { return .truncated }
        func string(_ ref: (known: UInt64, length: Int), _ table: inout [Span], base: Int, defined: inout Int) -> Span? {
            if ref.known != 0 {
                // A reference to a string this scope has not defined (yet). When reading, the
                // table is whole, and the check already refused such a reference.
                return ref.known <= UInt64(defined - base) ? table[base + Int(ref.known - 1)] : nil
            }
            let span = Span(offset: at, length: ref.length)
            at += ref.length
            if defining { table.append(span) }
            defined += 1
            return span
        }
        guard let c = string(client, &clients, base: scope.clientBase, defined: &scope.clients),
              let m = string(method, &methods, base: scope.methodBase, defined: &scope.methods) else { return .malformed }
        x.time = x.time &+ FleetVarint.unzigzag(step)
        x.latency = FleetVarint.unzigzag(latency)
        x.status = status
        x.client = c
        x.method = m
        x.path = Span(offset: at, length: Int(pathLength))
        at += Int(pathLength)
        return nil
    }

    /// Reads the CWF3 block header at `at` and moves past it: the block's record count, where its
    /// records end, whether it starts a scope; nil when it runs past the end or has flags this
    /// reader does not know.
    @inline(__always)
    private static func blockHeader(_ b: UnsafeRawBufferPointer, _ at: inout Int, _ n: Int) -> Block? {
        guard n - at >= FleetSummaryBlock.headerBytes else { return nil }
        let count = Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        let length = Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: at + 4, as: UInt32.self)))
        let flags = b[at + 8]
        at += FleetSummaryBlock.headerBytes
        guard flags <= FleetSummaryBlock.preamble, length <= n - at else { return nil }
        return Block(count: count, end: at + length, flags: flags)
    }

    private struct Block {
        var count: Int
        var end: Int
        var flags: UInt8
        var startsScope: Bool { flags & FleetSummaryBlock.continuesScope == 0 }
        var isPreamble: Bool { flags == FleetSummaryBlock.preamble }
    }

    /// Starts reading `block`, whose header was just read: one starting a scope starts it
    /// afresh, a preamble also defines the scope's strings and time (and `at` moves past them).
    /// Nil when whole, else why not.
    @inline(__always)
    private static func enter(
        _ block: Block, _ b: UnsafeRawBufferPointer, _ at: inout Int, into x: inout Current, scope: inout Scope,
        clients: inout [Span], methods: inout [Span], defining: Bool
    ) -> FleetSummaryError? {
        if block.startsScope {
            scope.restart()
            x.time = 0
        }
        guard block.isPreamble else { return nil }
        return preamble(b, &at, block, into: &x, scope: &scope, clients: &clients, methods: &methods, defining: defining)
    }

    /// Reads a preamble's body (`at` to `block.end`): the scope's time, then its strings, each
    /// defined as a record's new string is. Nil when whole, else why not.
    private static func preamble(
        _ b: UnsafeRawBufferPointer, _ at: inout Int, _ block: Block, into x: inout Current, scope: inout Scope,
        clients: inout [Span], methods: inout [Span], defining: Bool
    ) -> FleetSummaryError? {
        guard block.count == 0 else { return .malformed }
        guard let time = FleetVarint.get(b, &at, block.end) else { return .truncated }
        x.time = FleetVarint.unzigzag(time)
        while at < block.end {
            let kind = b[at]
            at += 1
            guard kind <= FleetSummaryBlock.methodEntry else { return .malformed }
            guard let length = FleetVarint.get(b, &at, block.end) else { return .truncated }
            guard length <= UInt64(FleetSummaryWriter.maxField) else { return .malformed }
            guard block.end - at >= Int(length) else { return .truncated }
            let span = Span(offset: at, length: Int(length))
            at += Int(length)
            if kind == FleetSummaryBlock.clientEntry {
                if defining { clients.append(span) }
                scope.clients += 1
            } else {
                if defining { methods.append(span) }
                scope.methods += 1
            }
        }
        return nil
    }

    /// Decodes the CWF1 record at `at` into `x` and moves past it; false when it runs past the end.
    @inline(__always)
    private static func legacyRecord(_ b: UnsafeRawBufferPointer, _ at: inout Int, _ n: Int, into x: inout Current) -> Bool {
        guard n - at >= legacyFixedBytes else { return false }
        let c = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 20, as: UInt16.self)))
        let m = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 22, as: UInt16.self)))
        let p = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: at + 24, as: UInt16.self)))
        let strings = at + legacyFixedBytes
        guard strings + c + m + p <= n else { return false }
        x.time = Int64(littleEndian: b.loadUnaligned(fromByteOffset: at, as: Int64.self))
        x.latency = Int64(littleEndian: b.loadUnaligned(fromByteOffset: at + 8, as: Int64.self))
        x.status = Int32(littleEndian: b.loadUnaligned(fromByteOffset: at + 16, as: Int32.self))
        x.client = Span(offset: strings, length: c)
        x.method = Span(offset: strings + c, length: m)
        x.path = Span(offset: strings + c + m, length: p)
        at = strings + c + m + p
        return true
    }

    /// Record `i`'s time. For reading a summary here and there; the merge keeps a `Cursor`.
    public func time(_ i: Int) -> Int64 {
        cursor.seek(i)
        return cursor.time
    }

    /// Fills `x` with record `i` (fields this format does not carry are left unknown).
    public func read(_ i: Int, into x: inout ExchangeView) {
        cursor.seek(i)
        cursor.read(into: &x)
    }

    /// A place to read the records from, for as long as this object lives (whoever holds the
    /// cursor keeps the object). A value: the merge keeps one per stream, so going to the next
    /// record touches no reference count and no class property. Going through the class's own
    /// cursor retained its dictionaries and checked exclusive access at every record: a fifth of
    /// the fleet aggregator's time (perf).
    public func makeCursor() -> Cursor {
        Cursor(base: base, format: format, clients: clients, methods: methods, count: count)
    }

    /// Reads the records of one summary in order: record `index` is in `current`; `next` is
    /// where the record after it starts; `blockLeft` records of the current block (CWF3) follow it.
    public struct Cursor {
        private let base: UnsafeRawBufferPointer
        private let format: Format
        private var clients: [Span]
        private var methods: [Span]
        /// How many records the summary holds.
        public let count: Int
        public private(set) var index = -1
        private var next = FleetSummary.headerBytes
        private var current = Current()
        private var scope = Scope()
        private var blockLeft = 0

        fileprivate init(base: UnsafeRawBufferPointer, format: Format, clients: [Span], methods: [Span], count: Int) {
            self.base = base
            self.format = format
            self.clients = clients
            self.methods = methods
            self.count = count
        }

        /// Puts record `i` under the cursor: forward from where it is (the merge's way), from
        /// the start for an earlier one.
        @inline(__always)
        public mutating func seek(_ i: Int) {
            precondition(i >= 0 && i < count, "record \(i) of \(count)")
            if i < index {
                index = -1
                next = FleetSummary.headerBytes
                current = Current()
                scope = Scope()
                blockLeft = 0
            }
            while index < i { step() }
        }

        /// Moves to the next record. Checked whole at init: a record that fails now means the
        /// bytes changed under us.
        @inline(__always)
        private mutating func step() {
            switch format {
            case .legacy:
                guard FleetSummaryRecords.legacyRecord(base, &next, base.count, into: &current) else { fatalError("fleet summary changed after its check") }
            case .scope:
                if FleetSummaryRecords.record(base, &next, base.count, into: &current, scope: &scope, clients: &clients, methods: &methods, defining: false) != nil {
                    fatalError("fleet summary changed after its check")
                }
            case .blocks:
                // Blocks of no records (never written, but valid) are stepped over.
                while blockLeft == 0 {
                    guard let block = FleetSummaryRecords.blockHeader(base, &next, base.count),
                          FleetSummaryRecords.enter(block, base, &next, into: &current, scope: &scope, clients: &clients, methods: &methods, defining: false) == nil
                    else { fatalError("fleet summary changed after its check") }
                    blockLeft = block.count
                }
                if FleetSummaryRecords.record(base, &next, base.count, into: &current, scope: &scope, clients: &clients, methods: &methods, defining: false) != nil {
                    fatalError("fleet summary changed after its check")
                }
                blockLeft -= 1
            }
            index += 1
        }

        /// The time of the record under the cursor (the merge compares times only).
        @inline(__always)
        public var time: Int64 { current.time }

        /// Fills `x` with the record under the cursor (fields this format does not carry are
        /// left unknown). Mutating only so that a cursor kept in an optional (the merge's) is
        /// read in place: a read through `cursor!` copied it, retaining its tables, per record.
        @inline(__always)
        public mutating func read(into x: inout ExchangeView) {
            x.reset()
            x.time = current.time
            x.latencyMicros = current.latency
            x.status = current.status
            x.client = string(current.client)
            x.method = string(current.method)
            x.path = string(current.path)
        }

        @inline(__always)
        private func string(_ s: Span) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: base.baseAddress! + s.offset, count: s.length)
        }
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
