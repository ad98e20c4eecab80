/// Everything counted for one route. Mergeable, so routes re-keyed after learning can be joined.
package struct RouteStats: Sendable {
    package var requests: UInt64 = 0
    package var writes: UInt64 = 0
    package var conflicts: UInt64 = 0
    /// Parallel arrays: a route sees few distinct statuses, so a linear scan beats hashing.
    package private(set) var statusCodes: [UInt16] = []
    package private(set) var statusCounts: [UInt64] = []
    package var writers = DistinctCounter()
    package var resources = DistinctCounter()
    package var latency = LatencyHistogram()

    package init() {}

    @inline(__always)
    package mutating func countStatus(_ status: Int32) {
        let code = UInt16(truncatingIfNeeded: max(status, 0))
        for i in 0..<statusCodes.count where statusCodes[i] == code {
            statusCounts[i] &+= 1
            return
        }
        statusCodes.append(code)
        statusCounts.append(1)
    }

    /// Status → count; status 0 stands for "no response".
    package var statuses: [(status: Int, count: UInt64)] {
        zip(statusCodes, statusCounts).map { (Int($0), $1) }.sorted { $0.status < $1.status }
    }

    package mutating func merge(_ o: RouteStats) {
        requests += o.requests
        writes += o.writes
        conflicts += o.conflicts
        for (code, count) in zip(o.statusCodes, o.statusCounts) {
            if let i = statusCodes.firstIndex(of: code) {
                statusCounts[i] += count
            } else {
                statusCodes.append(code)
                statusCounts.append(count)
            }
        }
        writers.merge(o.writers)
        resources.merge(o.resources)
        latency.merge(o.latency)
    }
}
