import ConflictWatchCore
import ConflictWatchIngest
import ConflictWatchStore

/// The merged exchanges' way into the fleet's model, the daemon's way: a batch at a time, each
/// copied into a `RoutedBatch`, routed there by a resolver of this type's own, then accounted
/// with the model's tables asked for a few exchanges ahead. One exchange at a time through
/// `TrafficAnalyzer.record`, the aggregator's thread waited on memory at every table lookup
/// (the model's tables are far larger than the caches) and hashed and routed between them.
struct FleetRelease {
    /// Routes as the analyzer does (`independentCopy` of it, then ahead of it by a batch at
    /// most: the analyzer mirrors its new routes and adopts what its normalizer learned, so
    /// the two stay in step).
    private var router: RouteResolver
    private var generation: Int
    private let batch = RoutedBatch()
    /// The stream of each exchange in `batch` (the merge's number).
    private var streams: [Int] = []
    /// The time of the last exchange accounted: the rollups' cuts run once per distinct time.
    private var lastTime: Int64 = .min

    /// Ready to go on from where `analyzer` stands.
    init(analyzer: TrafficAnalyzer) {
        router = analyzer.resolver.independentCopy()
        generation = router.normalizer.generation
        streams.reserveCapacity(batch.capacity)
    }

    /// What the accounting of the merged exchanges updates besides the analyzer.
    struct Books {
        var rollups: RollupTracker
        var pending: [RouteRollup] = []
        /// Per raw route index and agent number: the latest traffic time seen through that
        /// agent, .min if none (the agents `FleetLeader` names in an alert on the route).
        var routeAgents: [[Int64]] = []
    }

    /// Releases the merge's exchanges up to `watermark` into `analyzer` and `books`, in the
    /// merge's order, as `TrafficAnalyzer.record` one by one would. `agents` maps the merge's
    /// stream numbers to the agents' numbers (of `agentCount`). Returns how many it released.
    mutating func release(_ merge: inout FleetMerge, upTo watermark: Int64, agents: [Int], agentCount: Int,
                          into analyzer: inout TrafficAnalyzer, books: inout Books) -> Int {
        let prefetcher = router.prefetcher
        let n = merge.release(upTo: watermark) { stream, x in
            batch.append(x, prefetchingWith: prefetcher)
            streams.append(stream)
            if batch.isFull { account(agents: agents, agentCount: agentCount, into: &analyzer, books: &books) }
        }
        if batch.count > 0 { account(agents: agents, agentCount: agentCount, into: &analyzer, books: &books) }
        return n
    }

    /// Gives `analyzer` what the router's normalizer learned from every exchange released so
    /// far, for a snapshot: the batches hand it over only when it learns a new position, so the
    /// analyzer's copy lags behind in what it counts towards the next one, and a leader that
    /// takes over from the snapshot would learn later than this one would have.
    func settle(_ analyzer: inout TrafficAnalyzer) {
        analyzer.adopt(normalizer: router.normalizer.independentCopy())
    }

    private mutating func account(agents: [Int], agentCount: Int, into analyzer: inout TrafficAnalyzer, books: inout Books) {
        batch.route(with: &router, generation: &generation)
        // The batch takes an optional (so escaping) closure; this one runs only within the call.
        withoutActuallyEscaping({ (time: Int64, analyzer: inout TrafficAnalyzer) in
            books.rollups.willRecord(time: time, analyzer: &analyzer, into: &books.pending)
        }) { cut in
            batch.account(into: &analyzer, before: nil, atNewTime: cut, lastTime: &lastTime)
        }
        for i in 0..<batch.count {
            let (route, time) = batch.route(at: i)
            if route >= books.routeAgents.count {
                books.routeAgents.append(contentsOf: repeatElement([], count: route - books.routeAgents.count + 1))
            }
            let agent = agents[streams[i]]
            if books.routeAgents[route].count < agentCount {
                books.routeAgents[route].append(contentsOf: repeatElement(.min, count: agentCount - books.routeAgents[route].count))
            }
            if books.routeAgents[route][agent] < time { books.routeAgents[route][agent] = time }
        }
        batch.reset()
        streams.removeAll(keepingCapacity: true)
    }
}
