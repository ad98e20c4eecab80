/// Per route (raw index) and agent (number): the latest traffic time seen through that agent,
/// .min if none — the agents an alert on the route names. One flat table, a row per route and a
/// column per agent: noted for every merged exchange, so a lookup must cost a multiply and a
/// compare. An array per route cost the aggregator a tenth of its time (perf: the growth
/// checks and the nested arrays' uniqueness checks on every exchange).
struct RouteAgentTimes: Sendable {
    private var times: [Int64] = []
    /// Columns per row: the agents' numbers have room below it (grows by doubling, rarely).
    private var stride = 0
    /// Rows: the routes have room below it.
    private(set) var routes = 0
    /// Agents counted so far (the columns in use).
    private(set) var agents = 0

    /// Makes room for route indices below `routes` and agent numbers below `agents`.
    mutating func reserve(routes r: Int, agents a: Int) {
        if a > stride {
            let wider = max(a, stride * 2, 4)
            var moved = [Int64](repeating: .min, count: routes * wider)
            for row in 0..<routes {
                for column in 0..<stride { moved[row * wider + column] = times[row * stride + column] }
            }
            times = moved
            stride = wider
        }
        agents = max(agents, a)
        if r > routes {
            times.append(contentsOf: repeatElement(.min, count: (r - routes) * stride))
            routes = r
        }
    }

    /// Notes `count` exchanges, `entry(i)` giving each one's route, agent and time; every route
    /// and agent must have room (`reserve`).
    @inline(__always)
    mutating func note(count: Int, _ entry: (Int) -> (route: Int, agent: Int, time: Int64)) {
        let stride = stride, routes = routes, agents = agents
        times.withUnsafeMutableBufferPointer { t in
            for i in 0..<count {
                let (route, agent, time) = entry(i)
                precondition(route < routes && agent < agents, "route \(route) or agent \(agent) has no room")
                let slot = route &* stride &+ agent
                if t[slot] < time { t[slot] = time }
            }
        }
    }

    /// The route's times by agent number (`agents` of them); all .min for a route never noted.
    func times(ofRoute route: Int) -> ArraySlice<Int64> {
        guard route < routes else { return ArraySlice(repeatElement(.min, count: agents)) }
        return times[route * stride ..< route * stride + agents]
    }
}
