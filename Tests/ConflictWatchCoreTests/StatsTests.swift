import Foundation
import Testing
@testable import ConflictWatchCore

@Suite struct DistinctCounterTests {
    @Test func exactForSmallSets() {
        var d = DistinctCounter()
        for i in 0..<40 { d.insert(UInt64(i) &* 0x9E37_79B9_7F4A_7C15) }
        for i in 0..<40 { d.insert(UInt64(i) &* 0x9E37_79B9_7F4A_7C15) }
        #expect(d.estimate == 40)
        #expect(d.isExact)
    }

    @Test(arguments: [100, 1_000, 100_000])
    func approximateForLargeSets(n: Int) {
        var d = DistinctCounter()
        for i in 0..<n {
            var v = UInt64(i)
            d.insert(withUnsafeBytes(of: &v) { ByteHash.hash($0) })
        }
        let err = abs(Double(d.estimate - n)) / Double(n)
        #expect(err < 0.08, "estimate \(d.estimate) for \(n)")
    }

    /// HyperLogLog worked out from scratch: 1,024 registers (the hash's top 10 bits pick one,
    /// the rank is one more than the leading zeros of the other 54), the harmonic mean of
    /// 2^-rank summed register by register, linear counting while the raw estimate is small
    /// and registers are still empty.
    struct Reference {
        var registers = [UInt8](repeating: 0, count: 1024)
        mutating func insert(_ h0: UInt64) {
            let h = h0 == 0 ? 1 : h0
            let rest = h << 10
            let rank = UInt8(min(rest == 0 ? 64 : rest.leadingZeroBitCount, 54) + 1)
            let i = Int(h >> 54)
            registers[i] = max(registers[i], rank)
        }
        mutating func merge(_ o: Reference) {
            for i in 0..<1024 { registers[i] = max(registers[i], o.registers[i]) }
        }
        var estimate: Int {
            var sum = 0.0
            for r in registers { sum += pow(2, -Double(r)) }
            let m = 1024.0
            let raw = 0.7213 / (1 + 1.079 / m) * m * m / sum
            let zeros = registers.filter { $0 == 0 }.count
            if raw <= 2.5 * m, zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
            return Int(raw.rounded())
        }
    }

    static func hash(_ i: Int, _ seed: UInt64) -> UInt64 {
        var v = UInt64(i) ^ seed
        return withUnsafeBytes(of: &v) { ByteHash.hash($0) }
    }

    /// The estimate comes from rank counts kept as registers change, not from the registers:
    /// it must be what the registers give, past promotion, in the small-range correction, in
    /// the raw range, with ranks far past 27, and after merges (which raise registers too).
    @Test(arguments: [49, 300, 2_000, 5_000, 300_000])
    func estimateIsTheRegistersEstimate(n: Int) {
        var d = DistinctCounter(), other = DistinctCounter()
        var ref = Reference(), otherRef = Reference()
        for i in 0..<n {
            let h = Self.hash(i, 1)
            d.insert(h)
            ref.insert(h)
            let g = Self.hash(i, 2)
            other.insert(g)
            otherRef.insert(g)
        }
        // Hashes whose rank is high (many leading zeros after the index bits).
        for k in 0..<8 {
            let h = UInt64(k) << 56 | 1 << UInt64(10 + k)
            d.insert(h)
            ref.insert(h)
        }
        #expect(!d.isExact)
        #expect(d.estimate == ref.estimate, "n = \(n)")
        d.merge(other)
        ref.merge(otherRef)
        #expect(d.estimate == ref.estimate, "n = \(n), merged")
        var exactSide = DistinctCounter()
        exactSide.insert(Self.hash(7, 3))
        d.merge(exactSide)
        ref.insert(Self.hash(7, 3))
        #expect(d.estimate == ref.estimate, "n = \(n), an exact counter merged in")
    }

    @Test func mergeIsUnion() {
        var a = DistinctCounter(), b = DistinctCounter()
        for i in 0..<3000 {
            var v = UInt64(i)
            let h = withUnsafeBytes(of: &v) { ByteHash.hash($0) }
            if i < 2000 { a.insert(h) }
            if i >= 1000 { b.insert(h) }
        }
        a.merge(b)
        #expect(abs(a.estimate - 3000) < 240)
    }
}

@Suite struct LatencyHistogramTests {
    @Test func quantilesWithinBucketPrecision() {
        var h = LatencyHistogram()
        for v in 1...10_000 { h.record(micros: Int64(v) * 100) }  // 0.1 ms … 1 s uniformly
        let p50 = h.quantile(0.5)!, p99 = h.quantile(0.99)!
        #expect(abs(p50 - 500_000) / 500_000 < 0.07)
        #expect(abs(p99 - 990_000) / 990_000 < 0.07)
        #expect(LatencyHistogram().quantile(0.5) == nil)
        var one = LatencyHistogram()
        one.record(micros: 20_000)
        #expect(one.quantile(0.5) == 20_000)
        #expect(one.quantile(0.99) == 20_000)
    }

    @Test func bucketsCoverEveryValue() {
        for v: UInt64 in [0, 1, 7, 8, 9, 15, 16, 1000, 123_456_789, UInt64(Int64.max)] {
            let i = LatencyHistogram.index(v)
            let (low, width) = LatencyHistogram.bounds(i)
            #expect(low <= v && v - low < width, "value \(v) bucket \(i)")
        }
    }
}

@Suite struct TrafficAnalyzerTests {
    @Test func countsWritesConflictsWritersAndResources() throws {
        var a = TrafficAnalyzer()
        let lines = [
            #"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "PUT /api/orders/1 HTTP/1.1" 200 1 rt=0.010"#,
            #"10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] "PUT /api/orders/1 HTTP/1.1" 409 1 rt=0.020"#,
            #"10.0.0.2 - - [10/Oct/2000:13:55:38 -0700] "PATCH /api/orders/2 HTTP/1.1" 412 1 rt=0.030"#,
            #"10.0.0.3 - - [10/Oct/2000:13:55:39 -0700] "GET /api/orders/3 HTTP/1.1" 200 1"#,
            #"10.0.0.3 - - [10/Oct/2000:13:55:35 -0700] "GET /healthz HTTP/1.1" 200 1"#,
        ]
        var parser = LogParser(format: .combined)
        for l in lines {
            let bytes = Array(l.utf8)
            bytes.withUnsafeBytes { buf in
                var x = ExchangeView()
                #expect(parser.parse(buf, into: &x) == .exchange)
                a.record(x)
            }
        }
        let rows = a.routeRows()
        #expect(rows.map(\.route) == ["/api/orders/{id}", "/healthz"])
        let r = rows[0]
        #expect(r.requests == 4)
        #expect(r.writes == 3)
        #expect(r.conflicts == 2)
        #expect(r.writers == 2)
        #expect(r.resources == 3)
        #expect(r.statuses == ["200": 2, "409": 1, "412": 1])
        #expect(abs(r.conflictRatio - 2.0 / 3.0) < 1e-12)
        #expect(abs(r.p50Ms! - 20) / 20 < 0.07)
        #expect(a.firstTime == us(971_211_335))
        #expect(a.lastTime == us(971_211_339))
        #expect(a.writes == 3 && a.conflicts == 2)
    }

    @Test func routeTableOverflowsIntoOther() {
        var t = RouteTable(maxRoutes: 3)
        for i in 0..<10 { _ = Array("/r\(i)".utf8).withUnsafeBytes { t.index(of: $0) } }
        #expect(t.count == 4)
        #expect(t.route(at: 3) == RouteTable.overflowRoute)
    }
}

/// The per-bucket client table starts small and grows; what it reports must not depend on that.
@Suite struct ClientBucketsGrowthTests {
    @Test("grows while clients arrive, keeps their order and counts, stops at capacity / 2")
    func growsInOrder() {
        var table = ClientBuckets(capacity: 8_192)
        #expect(table.slots == ClientBuckets.initialSlots)
        var expected: [(label: String, writes: UInt32, conflicts: UInt32)] = []
        for c in 0..<5_000 {
            let label = "10.0.\(c / 250).\(c % 250)"
            let hash = UInt64(c) &* 0x9E37_79B9_7F4A_7C15 | 1
            let writes = UInt32(1 + c % 3)
            for w in 0..<writes {
                label.utf8CString.withUnsafeBytes { bytes in
                    _ = table.record(hash, label: UnsafeRawBufferPointer(rebasing: bytes.dropLast()), ratio: 0.25, conflict: w == 0 && c % 5 == 0, route: c % 4)
                }
            }
            if c < 4_096 { expected.append((label, writes, c % 5 == 0 ? 1 : 0)) }
        }
        #expect(table.slots == 8_192, "doubled up to the bound")
        #expect(table.count == 4_096, "at most capacity / 2 clients")
        let seen = table.used.map { (table.label($0), table.entries[$0].writes, table.entries[$0].conflicts) }
        #expect(seen.map(\.0) == expected.map(\.label), "the order the clients came in")
        #expect(seen.map(\.1) == expected.map(\.writes))
        #expect(seen.map(\.2) == expected.map(\.conflicts))
        #expect(table.entries[table.used[5]].route == 1 && table.entries[table.used[5]].routeVotes == 1)
        table.clear()
        #expect(table.count == 0)
    }
}
