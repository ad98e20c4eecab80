/// Everything counted for one route. Mergeable, so routes re-keyed after learning can be joined.
public struct RouteStats: Sendable {
    public var requests: UInt64 = 0
    public var writes: UInt64 = 0
    public var conflicts: UInt64 = 0
    /// Parallel arrays: a route sees few distinct statuses, so a linear scan beats hashing.
    public private(set) var statusCodes: [UInt16] = []
    public private(set) var statusCounts: [UInt64] = []
    public var writers = DistinctCounter()
    public var resources = DistinctCounter()
    public var latency = LatencyHistogram()

    public init() {}

    @inline(__always)
    public mutating func countStatus(_ status: Int32) {
        let code = UInt16(truncatingIfNeeded: max(status, 0))
        for i in 0..<statusCodes.count where statusCodes[i] == code {
            statusCounts[i] &+= 1
            return
        }
        statusCodes.append(code)
        statusCounts.append(1)
    }

    /// Status → count; status 0 stands for "no response".
    public var statuses: [(status: Int, count: UInt64)] {
        zip(statusCodes, statusCounts).map { (Int($0), $1) }.sorted { $0.status < $1.status }
    }

    public mutating func merge(_ o: RouteStats) {
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
