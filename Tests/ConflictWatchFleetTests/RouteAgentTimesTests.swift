import Testing
@testable import ConflictWatchFleet

/// The aggregator's per-route, per-agent latest times: one flat table that must read as the
/// nested arrays it replaced would, also as agents join (the table is laid out again) and
/// routes appear.
@Suite struct RouteAgentTimesTests {
    @Test func agentsThatJoinLaterAndNewRoutesKeepEveryTimeNoted() {
        var table = RouteAgentTimes()
        var expected: [[Int64]] = []
        var agents = 1
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        // Agents join one by one up to 11 (past the first widths of 4 and 8), routes grow.
        for round in 0..<60 {
            if round % 5 == 4 { agents += 1 }
            let routes = 3 + round / 2
            table.reserve(routes: routes, agents: agents)
            for r in expected.indices { expected[r] += Array(repeating: .min, count: agents - expected[r].count) }
            expected += Array(repeating: Array(repeating: .min, count: agents), count: routes - expected.count)
            let noted = (0..<40).map { _ in (route: next(routes), agent: next(agents), time: Int64(next(1_000))) }
            table.note(count: noted.count) { noted[$0] }
            for n in noted where expected[n.route][n.agent] < n.time { expected[n.route][n.agent] = n.time }
            #expect(table.routes == routes && table.agents == agents)
            #expect((0..<routes).map { Array(table.times(ofRoute: $0)) } == expected, "round \(round)")
        }
        #expect(Array(table.times(ofRoute: 1_000)) == Array(repeating: .min, count: agents), "a route never noted")
    }

    @Test func anEarlierTimeDoesNotReplaceALaterOne() {
        var table = RouteAgentTimes()
        table.reserve(routes: 1, agents: 2)
        let noted: [(route: Int, agent: Int, time: Int64)] = [(0, 1, 50), (0, 1, 20), (0, 0, 7)]
        table.note(count: noted.count) { noted[$0] }
        #expect(Array(table.times(ofRoute: 0)) == [7, 50])
    }
}
