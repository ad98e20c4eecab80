import ConflictWatchCore
import Testing
@testable import ConflictWatchStore

/// Per-minute rollups are deltas of the analyzer's counters: over all cuts they add up to the
/// routes table exactly, also when the normalizer learns a `{var}` position mid-run and early
/// routes are renamed (their minutes keep the old name, with an alias to the new one).
@Suite struct RollupTrackerTests {
    func line(_ minute: Int, _ second: Int, _ path: String, _ status: Int, client: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return #"10.0.0.\#(client) - - [24/Nov/2026:10:\#(two(minute)):\#(two(second)) +0000] "PUT \#(path) HTTP/1.1" \#(status) 1 "-" "x""#
    }

    @Test func cutsAddUpToTheRoutesTableThroughARename() {
        var parameters = ModelParameters()
        parameters.routes.varThreshold = 20
        var analyzer = TrafficAnalyzer(parameters: parameters)
        var parser = LogParser(format: .combined)
        var tracker = RollupTracker()
        var rollups: [RouteRollup] = []
        var lines: [String] = []
        // Minute 0: five users (literal routes); minute 1: 200 users (the position is learned);
        // minute 2: orders only.
        for i in 0..<5 { lines.append(line(0, i, "/users/u\(i)/profile", 200, client: i)) }
        for i in 0..<200 { lines.append(line(1, i % 60, "/users/v\(i)/profile", i % 10 == 0 ? 409 : 200, client: i % 7)) }
        for i in 0..<30 { lines.append(line(2, i, "/orders/\(i % 4)", i % 3 == 0 ? 412 : 200, client: i % 5)) }
        for l in lines {
            let bytes = Array(l.utf8)
            bytes.withUnsafeBytes { buf in
                var x = ExchangeView()
                guard case .exchange = parser.parse(buf, into: &x) else { Issue.record("unparsed: \(l)"); return }
                tracker.willRecord(time: x.time, analyzer: &analyzer, into: &rollups)
                analyzer.record(x)
            }
        }
        rollups += tracker.cut(tracker.minute!, analyzer: &analyzer)
        let aliases = tracker.takeAliases()
        #expect(Set(rollups.map(\.minute)).count == 3)

        var totals: [String: (Int64, Int64, Int64)] = [:]
        var statuses: [String: [String: Int64]] = [:]
        for r in rollups {
            let name = ConflictStore.resolve(r.route, aliases)
            let t = totals[name] ?? (0, 0, 0)
            totals[name] = (t.0 + r.requests, t.1 + r.writes, t.2 + r.conflicts)
            for (status, n) in r.statusCounts { statuses[name, default: [:]][status, default: 0] += n }
        }
        let table = analyzer.routeRows()
        #expect(table.map(\.route).sorted() == totals.keys.sorted())
        for row in table {
            let t = totals[row.route]
            #expect(t?.0 == Int64(row.requests) && t?.1 == Int64(row.writes) && t?.2 == Int64(row.conflicts), "\(row.route): \(String(describing: t))")
            #expect(statuses[row.route] == row.statuses.mapValues { Int64($0) }, "\(row.route): statuses")
        }
        #expect(table.contains { $0.route == "/users/{var}/profile" && $0.requests == 205 })
        #expect(aliases["/users/u0/profile"] == "/users/{var}/profile", "\(aliases)")
        // The last cut's running values are the table's.
        for row in table {
            if let last = rollups.last(where: { ConflictStore.resolve($0.route, aliases) == row.route }) {
                #expect(last.writers == row.writers && last.resources == row.resources && last.p50Ms == row.p50Ms)
            }
        }
    }

    /// The recent fine series: a 12-s storm inside a quiet minute stands out per 10-s bucket
    /// (all of it in one or two buckets), and the buckets, cut at boundaries and once more at a
    /// flush, add up to the minute rollups exactly.
    @Test func bucketsAreCutAtTheModelBucketAndAddUpToTheMinutes() throws {
        var analyzer = TrafficAnalyzer(parameters: ModelParameters())
        var parser = LogParser(format: .combined)
        var tracker = RollupTracker(bucketSeconds: 10)
        var rollups: [RouteRollup] = []
        var buckets: [RouteBucket] = []
        var lines: [String] = []
        // Minute 0: one request every 2 s; seconds 20-31 of it: 24 conflicts (a 12-s storm);
        // minute 1: quiet again. A flush lands mid-bucket (after second 25).
        for second in stride(from: 0, to: 60, by: 2) { lines.append(line(0, second, "/orders/1", 200, client: 1)) }
        for i in 0..<24 { lines.append(line(0, 20 + i / 2, "/orders/2", 409, client: 2 + i % 3)) }
        lines.sort { $0.split(separator: "[")[1] < $1.split(separator: "[")[1] }
        for second in stride(from: 0, to: 60, by: 3) { lines.append(line(1, second, "/orders/1", 200, client: 1)) }
        for l in lines {
            let bytes = Array(l.utf8)
            bytes.withUnsafeBytes { buf in
                var x = ExchangeView()
                guard case .exchange = parser.parse(buf, into: &x) else { Issue.record("unparsed: \(l)"); return }
                tracker.willRecord(time: x.time, analyzer: &analyzer, into: &rollups)
                analyzer.record(x)
                if l.contains("10:00:25 ") && buckets.isEmpty { buckets += tracker.takeBuckets(analyzer: &analyzer) }
            }
        }
        rollups += tracker.cut(tracker.minute!, analyzer: &analyzer)
        buckets += tracker.takeBuckets(analyzer: &analyzer)
        let minute0 = Int64(29_925_240) * 60_000_000  // 2026-11-24T10:00:00Z
        // Per bucket start (seconds into minute 0), conflicts summed over the flush's split rows.
        var conflicts: [Int64: Int64] = [:]
        for b in buckets { conflicts[(b.start - minute0) / 1_000_000, default: 0] += b.conflicts }
        #expect(buckets.allSatisfy { $0.width == 10_000_000 && ($0.start - minute0) % 10_000_000 == 0 })
        #expect(conflicts[20] == 20 && conflicts[30] == 4, "the storm sits in the buckets at :20 and :30: \(conflicts)")
        #expect(conflicts.filter { $0.key != 20 && $0.key != 30 }.values.allSatisfy { $0 == 0 })
        #expect(buckets.filter { $0.start == minute0 + 20_000_000 }.count >= 2,
                "the flush at :25 split the :20 bucket into deltas before and after it (the store adds them)")
        for (key, path) in [(\RouteBucket.requests, \RouteRollup.requests), (\RouteBucket.writes, \RouteRollup.writes), (\RouteBucket.conflicts, \RouteRollup.conflicts)] {
            #expect(buckets.reduce(0) { $0 + $1[keyPath: key] } == rollups.reduce(0) { $0 + $1[keyPath: path] })
        }
        #expect(rollups.reduce(0) { $0 + $1.conflicts } == 24, "per minute the storm is one count among the minute's")
    }

    /// A backlog spanning more than the store's bucket window hands over only the buckets the
    /// store keeps: those within the window behind the newest.
    @Test func bucketsBehindTheStoresWindowAreNotHandedOver() {
        var analyzer = TrafficAnalyzer(parameters: ModelParameters())
        var parser = LogParser(format: .combined)
        var tracker = RollupTracker(bucketSeconds: 10)
        var rollups: [RouteRollup] = []
        // One request every 10 minutes over eight hours: 48 buckets with traffic.
        for i in 0..<48 {
            let hour = 10 + i / 6, minute = (i % 6) * 10
            let stamp = "24/Nov/2026:\(hour):\(minute == 0 ? "00" : String(minute)):00 +0000"
            let l = "10.0.0.1 - - [\(stamp)] \"PUT /orders/1 HTTP/1.1\" 200 1 \"-\" \"x\""
            Array(l.utf8).withUnsafeBytes { buf in
                var x = ExchangeView()
                guard case .exchange = parser.parse(buf, into: &x) else { Issue.record("unparsed: \(l)"); return }
                tracker.willRecord(time: x.time, analyzer: &analyzer, into: &rollups)
                analyzer.record(x)
            }
        }
        let buckets = tracker.takeBuckets(analyzer: &analyzer)
        let newest = buckets.map(\.start).max() ?? 0
        #expect(buckets.allSatisfy { $0.start >= newest - ConflictStore.bucketWindowMicros }, "nothing older than the window")
        #expect(buckets.count == 37, "the newest bucket and the 36 within six hours before it: \(buckets.count)")
        #expect(rollups.count == 47, "the minutes are all kept (the last is still open)")
    }
}
