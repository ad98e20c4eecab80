import ConflictWatchCore
import Synchronization

/// What the aggregator tells `/metrics` and the tests: whether this agent leads, how much it
/// accounted, how many agents hold the watermark and how many were dropped for silence.
public final class FleetAggregatorStatus: Sendable {
    private let isLeading = Atomic<Bool>(false)
    private let accountedCount = Atomic<UInt64>(0)
    private let live = Atomic<Int>(0)
    private let droppedCount = Atomic<Int>(0)
    private let watermarkMicros = Atomic<Int64>(.min)

    public init() {}

    public var leading: Bool { isLeading.load(ordering: .relaxed) }
    /// Exchanges this agent's aggregator accounted while it led (since it started).
    public var accounted: UInt64 { accountedCount.load(ordering: .relaxed) }
    public var liveAgents: Int { live.load(ordering: .relaxed) }
    public var droppedAgents: Int { droppedCount.load(ordering: .relaxed) }
    public var watermark: Int64 { watermarkMicros.load(ordering: .relaxed) }

    func leading(_ yes: Bool) { isLeading.store(yes, ordering: .relaxed) }

    func publish(_ leader: FleetLeader) {
        accountedCount.store(leader.accounted, ordering: .relaxed)
        live.store(leader.liveAgents, ordering: .relaxed)
        droppedCount.store(leader.droppedAgents, ordering: .relaxed)
        watermarkMicros.store(leader.merge.watermark, ordering: .relaxed)
    }
}
