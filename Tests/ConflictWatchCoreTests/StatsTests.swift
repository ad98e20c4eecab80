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
