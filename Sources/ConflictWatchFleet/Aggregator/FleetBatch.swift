import ConflictWatchCore
import ConflictWatchIngest

/// Merged exchanges on their way from the aggregator's merge to its accounting thread
/// (`FleetAccountant`): the exchanges themselves (routed), the agent each came through, and
/// where the accounting goes — the leader's analyzer and books, lent for one
/// `FleetRelease.release` call, which does not return before every batch of it is finished.
final class FleetBatch: ReusableBatch, @unchecked Sendable {
    let exchanges = RoutedBatch()
    /// Per exchange, the number of the agent it came through. Raw memory, not an array: an
    /// array property of a class is checked for exclusive access at every append.
    let agents: UnsafeMutablePointer<Int32>
    var agentCount = 0
    /// The routes known once the batch was routed: every route it names is below.
    var routeCount = 0
    var analyzer: UnsafeMutablePointer<TrafficAnalyzer>?
    var books: UnsafeMutablePointer<FleetRelease.Books>?

    init() { agents = .allocate(capacity: exchanges.capacity) }

    deinit { agents.deallocate() }

    /// Appends the exchange that came through `agent`; true when the batch is full.
    @inline(__always)
    func append(_ x: ExchangeView, agent: Int, prefetchingWith prefetcher: RouteCachePrefetcher) -> Bool {
        agents[exchanges.count] = Int32(truncatingIfNeeded: agent)
        exchanges.append(x, prefetchingWith: prefetcher)
        return exchanges.isFull
    }

    func reset() {
        exchanges.reset()
        analyzer = nil
        books = nil
    }
}
