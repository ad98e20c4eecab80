import Testing
@testable import ConflictWatchCore

/// A fleet agent's summaries carry every field the routes and the model read; what cannot be a
/// summary is refused whole; and the merge of several agents' summaries gives the analyzer the
/// same traffic, in the same order, as one daemon reading every log would.
@Suite struct FleetSummaryTests {
    /// Exchanges with distinct times (so the merged order is the original order), on a few
    /// resources, from a handful of clients, a few refused; from 60% of the way, a stampede of
    /// refused writes on one order for a while (something for the model to report).
    static func traffic(_ n: Int) -> [Exchange] {
        (0..<n).map { i in
            let write = i % 3 != 0
            let stampede = i > n * 6 / 10 && i < n * 8 / 10 && write
            return Exchange(
                time: 1_780_000_000_000_000 + Int64(i) * 137_000, client: "10.0.\(i % 5).\(i % 13)",
                method: write ? (i % 10 == 1 && !stampede ? "POST" : "PUT") : "GET",
                path: stampede ? "/api/orders/1" : i % 10 == 1 ? "/api/orders" : "/api/orders/\(i % 17)",
                route: "", status: write && (stampede ? i % 3 != 1 : i % 40 == 0) ? 409 : 200, latencyMs: Double(i % 50) / 2)
        }
    }

    static func fields(_ x: ExchangeView) -> [String] {
        [x.client.lossyString, x.method.lossyString, x.path.lossyString, "\(x.status)", "\(x.time)", "\(x.latencyMicros)"]
    }

    @Test func aSummaryCarriesEveryFieldTheModelReadsAndTheWriterStartsOverAfterATake() throws {
        var w = FleetSummaryWriter()
        let first = Self.traffic(40)
        var expected: [[String]] = []
        for e in first { e.withView { w.append($0); expected.append(Self.fields($0)) } }
        let s1 = w.take(clock: 42)
        #expect(s1.count == 40 && s1.firstTime == first[0].time && s1.lastTime == first[39].time && s1.clock == 42)
        let r1 = try FleetSummaryRecords(s1.bytes)
        #expect(r1.count == 40 && r1.clock == 42)
        var x = ExchangeView()
        var got: [[String]] = []
        for i in 0..<r1.count {
            r1.read(i, into: &x)
            #expect(r1.time(i) == x.time)
            got.append(Self.fields(x))
        }
        #expect(got == expected)

        // An idle agent ships its clock alone; then new records, none of the first take's.
        let idle = w.take(clock: 99)
        #expect(try idle.count == 0 && idle.firstTime == nil && FleetSummaryRecords(idle.bytes).count == 0)
        first[5].withView { w.append($0) }
        let s2 = try FleetSummaryRecords(w.take(clock: 100).bytes)
        #expect(s2.count == 1)
        s2.read(0, into: &x)
        #expect(Self.fields(x) == expected[5])
    }

    /// A stored summary's buffer takes the next one (no fresh pages a commit), and the next
    /// summary holds its own records only.
    @Test func aRecycledBufferTakesTheNextSummary() throws {
        var w = FleetSummaryWriter()
        let traffic = Self.traffic(300)
        var expected: [[String]] = []
        for e in traffic.prefix(200) { e.withView { w.append($0) } }
        var stored = w.take(clock: 1).bytes
        let first = stored.withUnsafeBufferPointer { $0.baseAddress }
        w.recycle(&stored)
        #expect(stored.count < 100, "the caller is left the writer's small buffer")
        for e in traffic.suffix(100) { e.withView { w.append($0); expected.append(Self.fields($0)) } }
        let s2 = w.take(clock: 2)
        #expect(s2.bytes.withUnsafeBufferPointer { $0.baseAddress } == first, "written into the recycled buffer")
        let r = try FleetSummaryRecords(s2.bytes)
        var x = ExchangeView()
        var got: [[String]] = []
        for i in 0..<r.count {
            r.read(i, into: &x)
            got.append(Self.fields(x))
        }
        #expect(r.clock == 2 && got == expected)
        // With records pending (the daemon accounts on while a commit runs on another thread),
        // not into the summary being written, whose records would be lost: the one after it.
        traffic[0].withView { w.append($0) }
        var other = [UInt8](repeating: 7, count: 1 << 20)
        let otherBase = other.withUnsafeBufferPointer { $0.baseAddress }
        w.recycle(&other)
        #expect(other.isEmpty, "kept for the next summary")
        let pending = try FleetSummaryRecords(w.take(clock: 3).bytes)
        #expect(pending.count == 1)
        var after: [[String]] = []
        for e in traffic.prefix(3) { e.withView { w.append($0); after.append(Self.fields($0)) } }
        let s4 = w.take(clock: 4)
        #expect(s4.bytes.withUnsafeBufferPointer { $0.baseAddress } == otherBase, "written into the buffer kept")
        let r4 = try FleetSummaryRecords(s4.bytes)
        got = []
        for i in 0..<r4.count {
            r4.read(i, into: &x)
            got.append(Self.fields(x))
        }
        #expect(r4.clock == 4 && got == after, "its own records only, whatever the buffer held")
    }

    /// Records are decoded as they are asked for (the merge's way is forward, one by one); any
    /// other order — back to an earlier one, the same one twice, skipping ahead — still gives
    /// each record exactly, clients and methods defined far before included. Bytes lent with
    /// an owner read the same as a copy.
    @Test func recordsReadInAnyOrderAndFromLentBytesAreTheRecordsWritten() throws {
        final class Owner {
            let bytes: UnsafeMutableRawBufferPointer
            init(_ b: [UInt8]) {
                bytes = .allocate(byteCount: b.count, alignment: 1)
                b.withUnsafeBytes { bytes.copyMemory(from: $0) }
            }
            deinit { bytes.deallocate() }
        }
        var w = FleetSummaryWriter()
        var expected: [[String]] = []
        for e in Self.traffic(2_000) { e.withView { w.append($0); expected.append(Self.fields($0)) } }
        let bytes = w.take(clock: 9).bytes
        let copied = try FleetSummaryRecords(bytes)
        let owner = Owner(bytes)
        let lent = try FleetSummaryRecords(borrowing: UnsafeRawBufferPointer(owner.bytes), owner: owner)
        var x = ExchangeView()
        for r in [copied, lent] {
            #expect(r.count == expected.count && r.clock == 9)
            for i in [1_999, 0, 0, 1, 700, 3, 1_998, 1_500, 2, 1_999] {
                r.read(i, into: &x)
                #expect(Self.fields(x) == expected[i], "record \(i)")
                #expect(r.time(i) == x.time)
            }
            for i in 0..<r.count {
                #expect(r.time(i) == Int64(expected[i][4])!, "record \(i)'s time before its read")
                r.read(i, into: &x)
                #expect(Self.fields(x) == expected[i], "record \(i) in order")
            }
        }
    }

    @Test func bytesThatAreNotAWholeSummaryAreRefusedWholeNeverReadPast() throws {
        var w = FleetSummaryWriter()
        for e in Self.traffic(6) { e.withView { w.append($0) } }
        let bytes = w.take(clock: 1).bytes
        // Cut at every length: refused, never a crash or a short read.
        for n in 0..<bytes.count {
            #expect(throws: FleetSummaryError.self) { try FleetSummaryRecords(bytes[0..<n]) }
        }
        var wrongMagic = bytes
        wrongMagic[0] ^= 0xFF
        #expect(throws: FleetSummaryError.notASummary) { try FleetSummaryRecords(wrongMagic) }
        var lyingCount = bytes
        lyingCount[4] = 5
        #expect(throws: FleetSummaryError.countMismatch(declared: 5, found: 6)) { try FleetSummaryRecords(lyingCount) }
        var hugeCount = bytes
        hugeCount[7] = 0x7F
        #expect(throws: FleetSummaryError.truncated) { try FleetSummaryRecords(hugeCount) }
        // A reference to a client the summary has not defined: the second record of the
        // documented example (below) naming client 7 instead of 1.
        var small = FleetSummaryWriter()
        Exchange(time: 5, client: "c1", method: "PUT", path: "/a", route: "", status: 409).withView { small.append($0) }
        Exchange(time: 3, client: "c1", method: "PUT", path: "/b", route: "", status: 200, latencyMs: 0.3).withView { small.append($0) }
        var undefined = small.take(clock: 7).bytes
        #expect(try FleetSummaryRecords(undefined).count == 2)
        // Header, block header, the first record (nine bytes of numbers, "c1PUT/a"), then the
        // second record's time, latency (two bytes) and status (two).
        let ref = 16 + 9 + 16 + 5
        #expect(undefined[ref] == 1, "the second record's client is the summary's first")
        undefined[ref] = 8
        #expect(throws: FleetSummaryError.malformed) { try FleetSummaryRecords(undefined) }
        // Any single byte changed: refused, or read within its bounds.
        var x = ExchangeView()
        for i in bytes.indices {
            var b = bytes
            b[i] = b[i] &+ 0x41
            if let r = try? FleetSummaryRecords(b) {
                for k in 0..<r.count {
                    r.read(k, into: &x)
                    #expect(x.path.count <= b.count)
                }
            }
        }
    }

    /// The bytes of CWF3 as docs/fleet.md describes them, worked out by hand: the header, a block
    /// header (record count, body length, flags), then per record the zigzag varints of the
    /// time step, latency and status, the client's and the method's references (0 and a length
    /// when new, else number + 1), the path's length, then the new strings and the path.
    @Test func aSummaryIsWrittenInTheDocumentedFormat() throws {
        var w = FleetSummaryWriter()
        Exchange(time: 5, client: "c1", method: "PUT", path: "/a", route: "", status: 409).withView { w.append($0) }
        Exchange(time: 3, client: "c1", method: "PUT", path: "/b", route: "", status: 200, latencyMs: 0.3).withView { w.append($0) }
        let bytes = w.take(clock: 7).bytes
        let body: [UInt8] = []
            // time 5 → 10; latency unknown (-1) → 1; status 409 → 818 = 0x32 | 0x80, 6
            + [0x0A, 0x01, 0xB2, 0x06, 0x00, 0x02, 0x00, 0x03, 0x02] + Array("c1PUT/a".utf8)
            // step -2 → 3; 300 µs → 600 = 0x58 | 0x80, 4; status 200 → 400 = 0x10 | 0x80, 3;
            // client and method: the scope's first of each → 1
            + [0x03, 0xD8, 0x04, 0x90, 0x03, 0x01, 0x01, 0x02] + Array("/b".utf8)
        // One block of two records, 26 bytes, starting a scope (flags 0).
        let expected: [UInt8] = [0x43, 0x57, 0x46, 0x33, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0] + [2, 0, 0, 0, 26, 0, 0, 0, 0] + body
        #expect(bytes == expected)
        let r = try FleetSummaryRecords(bytes)
        var x = ExchangeView()
        r.read(1, into: &x)
        #expect(Self.fields(x) == ["c1", "PUT", "/b", "200", "3", "300"])
        // The same records as CWF2 (one scope, no block header), which earlier releases wrote.
        let cwf2 = try FleetSummaryRecords([0x43, 0x57, 0x46, 0x32, 2, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0] + body)
        cwf2.read(1, into: &x)
        #expect(cwf2.count == 2 && cwf2.clock == 7 && Self.fields(x) == ["c1", "PUT", "/b", "200", "3", "300"])
        cwf2.read(0, into: &x)
        #expect(Self.fields(x) == ["c1", "PUT", "/a", "409", "5", "-1"])
    }

    /// Blocks encoded elsewhere (the daemon's reading thread, one per batch) go into the summary
    /// whole. A block continuing a scope that began in an earlier summary, or before exchanges
    /// encoded one by one, gets a preamble (the scope's strings and time) so that the summary
    /// stands alone; one whose scope's start the writer never saw cannot be taken. Every record
    /// reads back in order, and a continuing block's clients are not written out again.
    @Test func blocksEncodedElsewhereJoinTheSummaryWithTheirScope() throws {
        let traffic = Self.traffic(600)
        var encoder = FleetBlockEncoder()
        var block = FleetSummaryBlock()
        func encode(_ part: ArraySlice<Exchange>) -> FleetSummaryBlock {
            encoder.begin(&block)
            for e in part { e.withView { encoder.append($0, clientHash: ByteHash.hash($0.client), to: &block) } }
            encoder.end(&block)
            return block
        }
        /// Each block's flags, in order.
        func flags(_ bytes: [UInt8]) -> [UInt8] {
            var at = 16, out: [UInt8] = []
            while at + 9 <= bytes.count {
                out.append(bytes[at + 8])
                at += 9 + (Int(bytes[at + 4]) | Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]) << 16 | Int(bytes[at + 7]) << 24)
            }
            return out
        }
        var w = FleetSummaryWriter()
        let first = encode(traffic[0..<100])
        #expect(first.startsScope && first.count == 100 && first.firstTime == traffic[0].time && first.lastTime == traffic[99].time)
        #expect(first.endTime == traffic[99].time)
        #expect(w.canAbsorb(first))
        w.absorb(first)
        let second = encode(traffic[100..<200])
        #expect(!second.startsScope && second.definitions.isEmpty && w.canAbsorb(second))
        w.absorb(second)
        // Its clients are the scope's already (65 in all, each in the first block): none is written
        // out again, as they are in a block of the same records starting a scope.
        var alone = FleetBlockEncoder(), aloneBlock = FleetSummaryBlock()
        alone.begin(&aloneBlock)
        for e in traffic[100..<200] { e.withView { alone.append($0, clientHash: ByteHash.hash($0.client), to: &aloneBlock) } }
        alone.end(&aloneBlock)
        let clientBytes = Set(traffic[100..<200].map(\.client)).reduce(0) { $0 + $1.utf8.count }
        #expect(second.bytes.count + clientBytes < aloneBlock.bytes.count)
        // One by one in between, then the scope goes on: a preamble before its next block.
        for e in traffic[200..<250] { e.withView { w.append($0) } }
        let third = encode(traffic[250..<300])
        #expect(w.canAbsorb(third))
        w.absorb(third)
        let summary = w.take(clock: 11)
        #expect(summary.count == 300 && summary.firstTime == traffic[0].time && summary.lastTime == traffic[299].time)
        #expect(flags(summary.bytes) == [0, 1, 0, 2, 1], "fresh, continuing, own, preamble, continuing")
        // After a take the scope goes on too, then a new one starts.
        let fourth = encode(traffic[300..<400])
        w.absorb(fourth)
        encoder.startScope()
        let fifth = encode(traffic[400..<500])
        #expect(fifth.startsScope)
        w.absorb(fifth)
        let next = w.take(clock: 12)
        #expect(flags(next.bytes) == [2, 1, 0])
        // A writer that never saw the scope begin cannot define it.
        let sixth = encode(traffic[500..<600])
        var stranger = FleetSummaryWriter()
        #expect(!sixth.startsScope && !stranger.canAbsorb(sixth))
        for e in traffic[500..<600] { e.withView { stranger.append($0) } }
        let last = stranger.take(clock: 13)
        for (bytes, part) in [(summary.bytes, traffic[0..<300]), (next.bytes, traffic[300..<500]), (last.bytes, traffic[500..<600])] {
            let r = try FleetSummaryRecords(bytes)
            #expect(r.count == part.count)
            var x = ExchangeView()
            for (i, e) in part.enumerated() {
                r.read(i, into: &x)
                e.withView { #expect(Self.fields(x) == Self.fields($0), "record \(i)") }
            }
        }
        // The preamble is checked like the rest: cut short, or holding a record count, refused.
        var counted = next.bytes
        counted[16] = 1
        #expect(throws: FleetSummaryError.self) { try FleetSummaryRecords(counted) }
        // A preamble by hand: time 5, client "a", then an entry of a kind there is not.
        let header: [UInt8] = [0x43, 0x57, 0x46, 0x33, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let good: [UInt8] = [10, 0, 1, 0x61]
        #expect(try FleetSummaryRecords(header + [0, 0, 0, 0, UInt8(good.count), 0, 0, 0, 2] + good).count == 0)
        let bad = good + [7, 1, 0x62]
        #expect(throws: FleetSummaryError.malformed) { try FleetSummaryRecords(header + [0, 0, 0, 0, UInt8(bad.count), 0, 0, 0, 2] + bad) }
    }

    /// A block's header is checked like its records: a summary that starts with a continuing
    /// block, unknown flags, a length that disagrees with the records, or a count past the
    /// summary's are refused.
    @Test func blockHeadersThatDoNotHoldAreRefused() throws {
        var w = FleetSummaryWriter()
        for e in Self.traffic(5) { e.withView { w.append($0) } }
        let bytes = w.take(clock: 3).bytes
        #expect(try FleetSummaryRecords(bytes).count == 5)
        var continuing = bytes
        continuing[16 + 8] = 1
        #expect(throws: FleetSummaryError.malformed) { try FleetSummaryRecords(continuing) }
        var flags = bytes
        flags[16 + 8] = 3
        #expect(throws: FleetSummaryError.truncated) { try FleetSummaryRecords(flags) }
        // A preamble where records are: not a preamble's body (or it holds a count).
        var preamble = bytes
        preamble[16 + 8] = 2
        #expect(throws: FleetSummaryError.self) { try FleetSummaryRecords(preamble) }
        var short = bytes
        short[16 + 4] -= 1
        #expect(throws: FleetSummaryError.self) { try FleetSummaryRecords(short) }
        var fewer = bytes
        fewer[16] = 4
        #expect(throws: FleetSummaryError.malformed) { try FleetSummaryRecords(fewer) }
        // A second block holding the whole first again after it, continuing its scope: the
        // count the header declares is exceeded.
        let doubled = bytes + bytes[16...]
        #expect(throws: FleetSummaryError.countMismatch(declared: 5, found: 10)) { try FleetSummaryRecords(doubled) }
        var declared = doubled
        declared[4] = 10
        #expect(try FleetSummaryRecords(declared).count == 10)
    }

    /// Summaries an agent of an earlier release wrote (CWF1: fixed 26-byte records, every string
    /// written out) are still read: an upgraded aggregator finds them in the database.
    @Test func aLegacySummaryIsStillRead() throws {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func record(_ time: Int64, _ latency: Int64, _ status: Int32, _ c: String, _ m: String, _ p: String) -> [UInt8] {
            le(time) + le(latency) + le(status) + le(UInt16(c.utf8.count)) + le(UInt16(m.utf8.count)) + le(UInt16(p.utf8.count))
                + Array((c + m + p).utf8)
        }
        let bytes = Array("CWF1".utf8) + le(UInt32(2)) + le(Int64(99))
            + record(1_000, 2_500, 409, "10.0.0.1", "PUT", "/api/orders/1") + record(1_001, -1, 200, "10.0.0.2", "GET", "/")
        let r = try FleetSummaryRecords(bytes)
        var x = ExchangeView()
        var got: [[String]] = []
        for i in 0..<r.count {
            r.read(i, into: &x)
            got.append(Self.fields(x))
        }
        #expect(r.clock == 99 && got == [["10.0.0.1", "PUT", "/api/orders/1", "409", "1000", "2500"], ["10.0.0.2", "GET", "/", "200", "1001", "-1"]])
        #expect(throws: FleetSummaryError.truncated) { try FleetSummaryRecords(bytes.dropLast()) }
    }

    /// Each client and method once per summary: a realistic summary takes about half the bytes
    /// of writing every string out (CWF1's 26 fixed bytes and the strings), and the dictionary
    /// starts over with each take (the next summary stands alone).
    @Test func repeatedClientsAndMethodsAreWrittenOncePerSummary() throws {
        let traffic = (0..<20_000).map { (i: Int) -> Exchange in
            let time: Int64 = 1_780_000_000_000_000 + Int64(i / 7) * 1_000_000
            let client = "203.0.113.\(i * 7 % 251)", path = "/api/orders/\(i * 31 % 5_000)"
            let method = i % 4 == 0 ? "PATCH" : "GET"
            let status = i % 50 == 0 ? 409 : 200
            return Exchange(time: time, client: client, method: method, path: path, route: "", status: status,
                            latencyMs: Double(i % 900) / 10)
        }
        var w = FleetSummaryWriter()
        var expected: [[String]] = []
        var spelledOut = 16
        for e in traffic {
            e.withView { w.append($0); expected.append(Self.fields($0)) }
            spelledOut += 26 + e.client.utf8.count + e.method.utf8.count + e.path.utf8.count
        }
        let first = w.take(clock: 1).bytes
        #expect(Double(first.count) < 0.6 * Double(spelledOut), "\(first.count) bytes against \(spelledOut) spelled out")
        let r = try FleetSummaryRecords(first)
        var x = ExchangeView()
        for i in [0, 1, 250, 251, 252, 9_999, 19_999] {
            r.read(i, into: &x)
            #expect(Self.fields(x) == expected[i])
        }
        // The next summary defines its strings again.
        traffic[5].withView { w.append($0) }
        let next = try FleetSummaryRecords(w.take(clock: 2).bytes)
        next.read(0, into: &x)
        #expect(Self.fields(x) == expected[5])
    }

    /// Two clients whose hashes are equal are two strings: the dictionary compares the bytes.
    /// More distinct clients than the table's first size, so it grows while in use.
    @Test func clientsWithOneHashStayApartAndTheTableGrows() throws {
        var w = FleetSummaryWriter()
        var expected: [String] = []
        for i in 0..<3_000 {
            let client = "client-\(i % 1_500)"
            Exchange(time: Int64(i), client: client, method: "PUT", path: "/x", route: "", status: 200).withView {
                // Every client under one hash: only the bytes can tell them apart.
                w.append($0, clientHash: 42)
            }
            expected.append(client)
        }
        let r = try FleetSummaryRecords(w.take(clock: 1).bytes)
        var x = ExchangeView()
        var got: [String] = []
        for i in 0..<r.count {
            r.read(i, into: &x)
            got.append(x.client.lossyString)
        }
        let wrong = zip(got, expected).filter { $0 != $1 }.count
        #expect(got.count == expected.count && wrong == 0, "\(wrong) of \(expected.count) clients read back as another")
    }

    @Test func varintsRoundTripAndRefuseWhatRunsPastSixtyFourBits() {
        for v: Int64 in [0, -1, 1, 63, -64, 64, 8_191, -8_192, 1 << 40, .max, .min] {
            #expect(FleetVarint.unzigzag(FleetVarint.zigzag(v)) == v)
        }
        #expect(FleetVarint.zigzag(-1) == 1 && FleetVarint.zigzag(1) == 2 && FleetVarint.zigzag(.min) == .max)
        var buffer = [UInt8](repeating: 0, count: 10)
        for v: UInt64 in [0, 127, 128, 16_383, 16_384, .max] {
            buffer.withUnsafeMutableBytes { out in
                var at = 0
                FleetVarint.put(v, out, &at)
                #expect(at == (v == 0 ? 1 : (64 - v.leadingZeroBitCount + 6) / 7))
                var read = 0
                #expect(FleetVarint.get(UnsafeRawBufferPointer(out), &read, at) == v && read == at)
                // Cut one byte short: nothing, and nothing read past the end.
                read = 0
                #expect(FleetVarint.get(UnsafeRawBufferPointer(out), &read, at - 1) == nil && read <= at - 1)
            }
        }
        // Eleven bytes, or a tenth byte with more than the last bit: past 64 bits.
        for bad: [UInt8] in [Array(repeating: 0x80, count: 10) + [0], Array(repeating: 0xFF, count: 9) + [0x02]] {
            bad.withUnsafeBytes { b in
                var at = 0
                #expect(FleetVarint.get(b, &at, b.count) == nil)
            }
        }
    }

    @Test func aFieldLongerThanTheFormatHoldsIsCutNotWrapped() throws {
        var w = FleetSummaryWriter()
        let long = Exchange(time: 1, client: "c", method: "PUT", path: "/" + String(repeating: "a", count: 70_000), route: "", status: 200)
        long.withView { w.append($0) }
        let r = try FleetSummaryRecords(w.take(clock: 1).bytes)
        var x = ExchangeView()
        r.read(0, into: &x)
        #expect(x.path.count == FleetSummaryWriter.maxField && x.method.lossyString == "PUT")
    }

    /// Splits `traffic` round-robin over `agents` writers, taking a summary every `every` exchanges.
    static func shipments(_ traffic: [Exchange], agents: Int, every: Int) throws -> [[FleetSummaryRecords]] {
        var writers = Array(repeating: FleetSummaryWriter(), count: agents)
        var out = Array(repeating: [FleetSummaryRecords](), count: agents)
        for (i, e) in traffic.enumerated() {
            let a = i % agents
            e.withView { writers[a].append($0) }
            if writers[a].count == every { out[a].append(try FleetSummaryRecords(writers[a].take(clock: e.time).bytes)) }
        }
        for a in 0..<agents where writers[a].count > 0 {
            out[a].append(try FleetSummaryRecords(writers[a].take(clock: traffic.last!.time).bytes))
        }
        return out
    }

    @Test func theMergedFleetGivesTheAnalyzerWhatOneDaemonReadingEveryLogWouldGive() throws {
        let traffic = Self.traffic(3_000)
        var single = TrafficAnalyzer()
        for e in traffic { e.withView { single.record($0) } }
        single.finish()

        let shipped = try Self.shipments(traffic, agents: 3, every: 97)
        var merge = FleetMerge()
        var fleet = TrafficAnalyzer()
        // Summaries arrive interleaved, a few at a time; the watermark only lets through what
        // every agent has passed.
        let rounds = shipped.map(\.count).max()!
        var released = 0
        for k in 0..<rounds {
            for a in shipped.indices where k < shipped[a].count {
                merge.add(stream: "agent-\(a)", seq: Int64(k + 1), records: shipped[a][k])
                // The same summary again (a shipper retrying after a crash): ignored.
                merge.add(stream: "agent-\(a)", seq: Int64(k + 1), records: shipped[a][k])
            }
            let w = merge.watermark(live: Set(merge.streamNames))
            released += merge.release(upTo: w) { _, x in fleet.record(x) }
        }
        #expect(released == traffic.count && merge.pending == 0)
        fleet.finish()
        #expect(fleet.routeRows() == single.routeRows())
        #expect(fleet.alerts() == single.alerts())
        #expect(fleet.hotspots(top: 10) == single.hotspots(top: 10))
        #expect(single.alerts().count > 0, "the traffic must give the model something to say")
    }

    @Test func aSlowAgentHoldsTheWatermarkUntilItIsDroppedAndTiesGoToTheFirstName() throws {
        func summary(_ times: [Int64], clock: Int64) throws -> FleetSummaryRecords {
            var w = FleetSummaryWriter()
            for t in times { Exchange(time: t, client: "c", method: "GET", path: "/\(t)", route: "", status: 200).withView { w.append($0) } }
            return try FleetSummaryRecords(w.take(clock: clock).bytes)
        }
        var merge = FleetMerge()
        merge.add(stream: "b", seq: 1, records: try summary([10, 20, 30], clock: 30))
        merge.add(stream: "a", seq: 1, records: try summary([5, 20], clock: 20))
        var order: [(String, Int64)] = []
        let names = merge.streamNames
        let live: Set = ["a", "b"]
        #expect(merge.watermark(live: live) == 20)
        merge.release(upTo: merge.watermark(live: live)) { s, x in order.append((names[s], x.time)) }
        #expect(order.map(\.0) == ["a", "b", "a", "b"] && order.map(\.1) == [5, 10, 20, 20])
        // "a" is silent: while it counts, b's 30 waits; dropped, it goes through.
        #expect(merge.watermark(live: live) == 20)
        order.removeAll()
        merge.release(upTo: merge.watermark(live: ["b"])) { s, x in order.append((names[s], x.time)) }
        #expect(order.map(\.1) == [30])
        // The watermark never goes back when "a" returns behind it.
        #expect(merge.watermark(live: live) == 30)
    }

    @Test func anAggregatorThatTakesOverFromTheStoredPositionsAccountsTheRestExactlyOnce() throws {
        let traffic = Self.traffic(1_000)
        let shipped = try Self.shipments(traffic, agents: 2, every: 50)
        var all: [Int64] = []
        var merge = FleetMerge()
        for a in shipped.indices { for (k, s) in shipped[a].enumerated() { merge.add(stream: "agent-\(a)", seq: Int64(k + 1), records: s) } }
        merge.release(upTo: .max) { _, x in all.append(x.time) }

        // The first leader gets halfway (mid-summary), commits its positions and dies.
        var first = FleetMerge()
        for a in shipped.indices { for (k, s) in shipped[a].enumerated() { first.add(stream: "agent-\(a)", seq: Int64(k + 1), records: s) } }
        var seen: [Int64] = []
        first.release(upTo: traffic[487].time) { _, x in seen.append(x.time) }
        let stored = first.positions
        #expect(stored.values.contains { $0.index > 0 }, "the cut falls inside a summary")
        // Its successor reads every stream from its stored summary on (the stored one included).
        var next = FleetMerge(positions: stored, watermark: first.watermark)
        for a in shipped.indices {
            let from = next.nextSeq(of: "agent-\(a)")
            for (k, s) in shipped[a].enumerated() where Int64(k + 1) >= from { next.add(stream: "agent-\(a)", seq: Int64(k + 1), records: s) }
        }
        next.release(upTo: .max) { _, x in seen.append(x.time) }
        #expect(seen == all)
    }
}
