import ConflictWatchCore
import ConflictWatchIngest

/// The aggregator's second thread: accounts the merged exchanges into the fleet's model while
/// the leader's task merges, copies and routes the next ones — the daemon's split of one model
/// over two threads. On one thread, the merge (decoding the agents' summaries, copying and
/// routing each exchange) and the accounting took turns, so the fleet's model went no faster
/// than one core however many the machine had.
///
/// What a batch points at (the leader's analyzer and books) belongs to this thread from the
/// batch's push until the leader's `waitUntilFinished` returns (the queue's mutex orders the two).
final class FleetAccountant: @unchecked Sendable {
    let queue = BatchQueue<FleetBatch>(depth: RoutedBatch.depth) { FleetBatch() }
    private var thread: WorkerThread?

    init() throws(WorkerThreadError) {
        let queue = queue
        // The thread holds the queue, not this object: the object's deinit closes the queue
        // and joins the thread.
        thread = try WorkerThread {
            // The time of the last exchange accounted: the rollups' cuts run once per distinct time.
            var lastTime = Int64.min
            while let batch = queue.pop() {
                Self.account(batch, lastTime: &lastTime)
                queue.finished(batch)
            }
        }
    }

    deinit {
        queue.close()
        thread?.join()
    }

    private static func account(_ batch: FleetBatch, lastTime: inout Int64) {
        guard let analyzer = batch.analyzer, let books = batch.books else { return }
        let exchanges = batch.exchanges
        // The batch takes an optional (so escaping) closure; this one runs only within the call.
        withoutActuallyEscaping({ (time: Int64, analyzer: inout TrafficAnalyzer) in
            books.pointee.willRecord(time: time, analyzer: &analyzer)
        }) { cut in
            exchanges.account(into: &analyzer.pointee, before: nil, atNewTime: cut, lastTime: &lastTime)
        }
        books.pointee.routeAgents.reserve(routes: batch.routeCount, agents: batch.agentCount)
        let agents = batch.agents
        books.pointee.routeAgents.note(count: exchanges.count) { i in
            let (route, time) = exchanges.route(at: i)
            return (route, Int(agents[i]), time)
        }
    }
}
