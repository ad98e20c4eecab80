import ConflictWatchFleet
import ConflictWatchServer

/// What a fleet agent's two services report, together: the shipper's backlog and the
/// aggregator's status, read into `/metrics` (docs/metrics.md, fleet).
struct FleetAgentStatus: Sendable {
    let backlog: FleetBacklog
    let aggregator: FleetAggregatorStatus

    var snapshot: LiveStatus.Fleet {
        var f = LiveStatus.Fleet()
        f.leading = aggregator.leading
        f.liveAgents = aggregator.liveAgents
        f.droppedAgents = aggregator.droppedAgents
        f.outboxBytes = backlog.pendingBytes
        let shipped = backlog.shipped
        f.shippedSummaries = UInt64(shipped.rows)
        f.shippedExchanges = UInt64(shipped.exchanges)
        f.accounted = aggregator.accounted
        let w = aggregator.watermark
        if w != .min { f.watermark = Double(w) / 1e6 }
        return f
    }
}
