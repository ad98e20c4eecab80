import Testing
@testable import ConflictWatchCore

/// Captured exchanges cross to the daemon's pipeline in batches: what comes out must be what
/// went in, batch after reused batch, and feed the model exactly as the views themselves do.
@Suite struct ExchangeBatchTests {
    static let lines = [
        #"10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] "PUT /api/orders/13 HTTP/1.1" 409 12 "-" "a" rt=0.120"#,
        #"2001:db8::7 - - [24/Nov/2026:10:00:01 +0000] "PATCH /api/carts/x1?y=2 HTTP/1.1" 200 3 "-" "b""#,
        #"10.0.0.3 - - [24/Nov/2026:10:00:02 +0000] "\x16\x03\x01garbage" 400 0 "-" "-""#,
        #"10.0.0.4 - - [24/Nov/2026:10:00:03 +0000] "DELETE /api/orders/14 HTTP/1.1" 204 0 "-" "c"  rt=-"#,
    ]

    /// Parses each line and hands its view to `body`.
    func views(_ lines: [String], _ body: (ExchangeView) -> Void) {
        var parser = LogParser(format: .combined)
        for line in lines {
            let bytes = Array(line.utf8)
            bytes.withUnsafeBytes { buf in
                var x = ExchangeView()
                if case .exchange = parser.parse(buf, into: &x) { body(x) }
            }
        }
    }

    func owned(_ x: ExchangeView) -> [String] {
        let e = Exchange(x, route: "")
        return [e.client, e.method, e.path, "\(e.status.map(String.init) ?? "-")", "\(e.time)", "\(e.latencyMs ?? -1)"]
    }

    @Test func roundTripsEveryFieldTheModelReadsAcrossReuse() {
        var expected: [[String]] = []
        var batch = ExchangeBatch(capacity: 2)
        views(Self.lines) { x in
            expected.append(owned(x))
            batch.append(x)
        }
        #expect(batch.count == 4)
        var got: [[String]] = []
        batch.forEach { got.append(owned($0)) }
        #expect(got == expected)
        #expect(got[2][1] == "" && got[2][2].contains("garbage"), "an invalid request line stays invalid (no method)")

        batch.removeAll()
        #expect(batch.isEmpty)
        var second: [[String]] = []
        views(Array(Self.lines.reversed())) { batch.append($0); second.append(owned($0)) }
        var again: [[String]] = []
        batch.forEach { again.append(owned($0)) }
        #expect(again == second, "nothing of the first use leaks into the second")
    }

    @Test func theModelSeesTheSameTrafficThroughABatch() {
        var direct = TrafficAnalyzer(), batched = TrafficAnalyzer()
        var batch = ExchangeBatch()
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let many = (0..<300).map { i in
            #"10.0.0.\#(i % 7) - - [24/Nov/2026:10:\#(two(i / 60)):\#(two(i % 60)) +0000] "PUT /api/orders/\#(i % 11) HTTP/1.1" \#(i % 9 == 0 ? 409 : 200) 1 "-" "x""#
        }
        views(many) { x in
            direct.record(x)
            batch.append(x)
        }
        batch.forEach { batched.record($0) }
        #expect(direct.routeRows() == batched.routeRows())
        #expect(direct.conflicts == batched.conflicts && direct.conflicts == 34)
    }
}
