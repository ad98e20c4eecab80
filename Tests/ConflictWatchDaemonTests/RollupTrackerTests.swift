import ConflictWatchCore
import ConflictWatchStore
import Testing
@testable import ConflictWatchDaemon

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
        for r in rollups {
            let name = ConflictStore.resolve(r.route, aliases)
            let t = totals[name] ?? (0, 0, 0)
            totals[name] = (t.0 + r.requests, t.1 + r.writes, t.2 + r.conflicts)
        }
        let table = analyzer.routeRows()
        #expect(table.map(\.route).sorted() == totals.keys.sorted())
        for row in table {
            let t = totals[row.route]
            #expect(t?.0 == Int64(row.requests) && t?.1 == Int64(row.writes) && t?.2 == Int64(row.conflicts), "\(row.route): \(String(describing: t))")
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
}
