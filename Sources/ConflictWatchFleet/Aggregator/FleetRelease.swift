import ConflictWatchCore
import ConflictWatchIngest
import ConflictWatchStore

/// The merged exchanges' way into the fleet's model, the daemon's way: a batch at a time, each
/// copied into a `RoutedBatch` and routed on the caller's thread, then accounted on the
/// accountant's (`FleetAccountant`), with the model's tables asked for a few exchanges ahead.
/// One exchange at a time through `TrafficAnalyzer.record`, the aggregator's thread waited on
/// memory at every table lookup (the model's tables are far larger than the caches) and hashed
/// and routed between them.
struct FleetRelease {
    /// Routes as the analyzer does (`independentCopy` of it, then ahead of it by the batches in
    /// flight at most: the analyzer mirrors their new routes and adopts what the normalizer
    /// learned, both carried in the batch, so the two stay in step).
    private var router: RouteResolver
    private var generation: Int
    private let accountant: FleetAccountant
    /// The batch being filled.
    private var batch: FleetBatch

    /// Ready to go on from where `analyzer` stands; throws when the accounting thread cannot
    /// be started.
    init(analyzer: TrafficAnalyzer) throws(WorkerThreadError) {
        router = analyzer.resolver.independentCopy()
        generation = router.normalizer.generation
        accountant = try FleetAccountant()
        batch = accountant.queue.take()
    }

    /// What the accounting of the merged exchanges updates besides the analyzer.
    struct Books {
        var rollups: RollupTracker
        var pending: [RouteRollup] = []
        /// The agents through which each route's traffic came, and when last (the agents
        /// `FleetLeader` names in an alert on the route).
        var routeAgents = RouteAgentTimes()

        /// The rollups' cuts before an exchange at a new `time`.
        mutating func willRecord(time: Int64, analyzer: inout TrafficAnalyzer) {
            rollups.willRecord(time: time, analyzer: &analyzer, into: &pending)
        }
    }

    /// Releases the merge's exchanges up to `watermark` into `analyzer` and `books`, in the
    /// merge's order, as `TrafficAnalyzer.record` one by one would. `agents` maps the merge's
    /// stream numbers to the agents' numbers (of `agentCount`). Returns how many it released,
    /// once every one of them is accounted: `analyzer` and `books` are lent to the accounting
    /// thread only within this call. The calling thread blocks rather than suspends when the
    /// queue is full and at the end: the leader's task has nothing else to do meanwhile, and the
    /// wait is for at most the batches in flight (16 of 512 exchanges, a few milliseconds).
    mutating func release(_ merge: inout FleetMerge, upTo watermark: Int64, agents: [Int], agentCount: Int,
                          into analyzer: inout TrafficAnalyzer, books: inout Books) -> Int {
        let prefetcher = router.prefetcher
        let queue = accountant.queue
        var batch = self.batch
        defer { self.batch = batch }
        // What the per-exchange closure appends through, without a reference count (as the
        // daemon's reading thread does): `batch` keeps it alive. Through a pointer: a captured
        // `var` here was checked for exclusive access at every exchange (2 % of the
        // aggregator's samples).
        var current = Unmanaged.passUnretained(batch)
        return withUnsafeMutablePointer(to: &current) { current in
            withUnsafeMutablePointer(to: &analyzer) { analyzer in
                withUnsafeMutablePointer(to: &books) { books in
                    func handOver() {
                        batch.exchanges.route(with: &router, generation: &generation)
                        batch.routeCount = router.routes.count
                        batch.agentCount = agentCount
                        batch.analyzer = analyzer
                        batch.books = books
                        queue.push(batch)
                        batch = queue.take()
                        current.pointee = Unmanaged.passUnretained(batch)
                    }
                    let n = merge.release(upTo: watermark) { stream, x in
                        let agent = agents[stream]
                        let full = current.pointee._withUnsafeGuaranteedRef { $0.append(x, agent: agent, prefetchingWith: prefetcher) }
                        if full { handOver() }
                    }
                    if batch.exchanges.count > 0 { handOver() }
                    queue.waitUntilFinished()
                    return n
                }
            }
        }
    }

    /// Gives `analyzer` what the router's normalizer learned from every exchange released so
    /// far, for a snapshot: the batches hand it over only when it learns a new position, so the
    /// analyzer's copy lags behind in what it counts towards the next one, and a leader that
    /// takes over from the snapshot would learn later than this one would have.
    func settle(_ analyzer: inout TrafficAnalyzer) {
        analyzer.adopt(normalizer: router.normalizer.independentCopy())
    }
}
