import ConflictWatchCore
import ConflictWatchStore
import Testing
@testable import ConflictWatchFleet

/// The fleet aggregator accounts the merged exchanges in routed batches (`FleetRelease`); what
/// comes out must be what `TrafficAnalyzer.record` one exchange at a time gives: the same
/// routes (also as the normalizer learns within a batch), model, alerts and rollups, and each
/// route's traffic credited to the agents it came through.
@Suite struct FleetReleaseTests {
    /// Three agents' traffic, 40 s apart per exchange over a few minutes' worth of rollups:
    /// ids the normalizer learns to fold mid-run (within a batch), a stampede of conflicting
    /// writes on one order, and a route only the third agent sees.
    static func traffic(_ n: Int) -> [Exchange] {
        (0..<n).map { i in
            let write = i % 3 != 0
            let stampede = i > n * 6 / 10 && i < n * 8 / 10 && write
            let path = stampede ? "/api/orders/1"
                : i % 3 == 2 && i % 7 == 0 ? "/api/only-third/\(i % 4)"
                : i % 5 == 0 ? "/api/users/user\(i)/orders" : "/api/orders/\(i % 17)"
            return Exchange(
                time: 1_780_000_000_000_000 + Int64(i) * 40_000, client: "10.0.\(i % 5).\(i % 13)",
                method: write ? "PUT" : "GET", path: path, route: "",
                status: write && (stampede ? i % 3 != 1 : i % 40 == 0) ? 409 : 200, latencyMs: Double(i % 50) / 2)
        }
    }

    @Test func batchesAccountWhatOneExchangeAtATimeWouldAndCreditEachRouteToItsAgents() throws {
        let traffic = Self.traffic(7_000)
        let agents = 3

        var single = TrafficAnalyzer()
        var singleRollups = RollupTracker()
        var singleRows: [RouteRollup] = []
        // Per route index, per agent: the last time its traffic came through that agent.
        var expected: [[Int64]] = []
        for (i, e) in traffic.enumerated() {
            e.withView { x in
                singleRollups.willRecord(time: x.time, analyzer: &single, into: &singleRows)
                let route = single.record(x)
                if route == expected.count { expected.append(Array(repeating: .min, count: agents)) }
                expected[route][i % agents] = x.time
            }
        }

        // Round-robin over the agents, a summary every 300 of an agent's exchanges; taken in
        // and released a round at a time, so batches end mid-way and the next call goes on.
        var writers = Array(repeating: FleetSummaryWriter(), count: agents)
        var shipped = Array(repeating: [FleetSummaryRecords](), count: agents)
        for (i, e) in traffic.enumerated() {
            let a = i % agents
            e.withView { writers[a].append($0) }
            if writers[a].count == 300 || i >= traffic.count - agents {
                shipped[a].append(try FleetSummaryRecords(writers[a].take(clock: e.time).bytes))
            }
        }
        var merge = FleetMerge()
        var fleet = TrafficAnalyzer()
        var release = try FleetRelease(analyzer: fleet)
        var books = FleetRelease.Books(rollups: RollupTracker())
        var released = 0
        for k in 0..<shipped.map(\.count).max()! {
            for a in 0..<agents where k < shipped[a].count {
                merge.add(stream: "web\(a)", seq: Int64(k + 1), records: shipped[a][k])
            }
            released += release.release(&merge, upTo: merge.watermark(live: Set(merge.streamNames)), agents: Array(0..<agents),
                                        agentCount: agents, into: &fleet, books: &books)
        }
        // The agents' last clocks differ: the end of the input goes through once they stop.
        released += release.release(&merge, upTo: .max, agents: Array(0..<agents), agentCount: agents, into: &fleet, books: &books)
        #expect(released == traffic.count && merge.pending == 0)

        #expect(fleet.normalizer.generation > 0, "the normalizer must learn during the run")
        #expect(fleet.routeRows() == single.routeRows())
        release.settle(&fleet)
        let sameModel = fleet.snapshot() == single.snapshot()
        #expect(sameModel, "the model's state, byte for byte")
        #expect(fleet.takeAlertChanges().alerts == single.takeAlertChanges().alerts)
        #expect(single.alerts().count > 0, "the traffic must give the model something to say")
        let minute = try #require(singleRollups.minute)
        #expect(books.rollups.minute == minute)
        #expect(books.pending + books.rollups.cut(minute, analyzer: &fleet) == singleRows + singleRollups.cut(minute, analyzer: &single))
        #expect(singleRows.count > 3, "several minutes of rollups")

        // Each route's traffic credited to exactly the agents it came through, as of its last
        // exchange through each.
        #expect((0..<books.routeAgents.routes).map { Array(books.routeAgents.times(ofRoute: $0)) } == expected)
        let onlyThird = try #require((0..<fleet.routes.count).first { fleet.routes.route(at: $0).contains("only-third") })
        #expect(books.routeAgents.times(ofRoute: onlyThird).map { $0 != .min } == [false, false, true])
    }
}
