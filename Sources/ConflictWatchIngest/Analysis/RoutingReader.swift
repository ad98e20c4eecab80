import ConflictWatchCore

/// The reading half of a two-thread analysis: on a thread of its own it reads every source
/// (`SourceIngestor`: framing, decoding, parsing), hashes and routes each exchange with its own
/// `RouteResolver`, and queues `RoutedBatch`es; `drain` accounts them on the caller's thread.
final class RoutingReader: @unchecked Sendable {
    /// Batches in flight: enough that neither thread waits on the other's jitter, few enough
    /// that they stay in the caches.
    static let depth = 4
    /// How many exchanges ahead the two prefetch steps look (`ContentionModel.prefetch`).
    static let farAhead = 12
    static let nearAhead = 4

    private let queue = BatchQueue<RoutedBatch>(depth: RoutingReader.depth) { RoutedBatch() }
    private let paths: [String]
    private let ingestor: SourceIngestor
    private var resolver: RouteResolver
    private var thread: WorkerThread?

    private init(paths: [String], ingestor: SourceIngestor, parameters: ModelParameters) {
        self.paths = paths
        self.ingestor = ingestor
        resolver = RouteResolver(parameters: parameters)
    }

    static func start(paths: [String], ingestor: SourceIngestor, parameters: ModelParameters) throws(WorkerThreadError) -> RoutingReader {
        let reader = RoutingReader(paths: paths, ingestor: ingestor, parameters: parameters)
        reader.thread = try WorkerThread { reader.read() }
        return reader
    }

    /// The reading thread: every source in order, then the queue is closed.
    private func read() {
        var batch = queue.take()
        var generation = resolver.normalizer.generation
        for (i, path) in paths.enumerated() {
            let report = ingestor.run(path: path, progress: { bytes, lines in
                batch.progress = (i, bytes, lines)
            }) { x, _ in
                let pathHash = ByteHash.hash(x.path)
                let routed = resolver.resolveNoting(x, pathHash: pathHash)
                batch.append(x, route: routed.index, newRoute: routed.new, pathHash: pathHash, clientHash: ByteHash.hash(x.client))
                if resolver.normalizer.generation != generation {
                    generation = resolver.normalizer.generation
                    // Its own output buffer: the accounting thread renormalizes with it.
                    batch.normalizers.append((batch.count - 1, resolver.normalizer.independentCopy()))
                }
                if batch.isFull {
                    queue.push(batch)
                    batch = queue.take()
                }
            }
            batch.finished = report
            queue.push(batch)
            batch = queue.take()
        }
        queue.recycle(batch)
        queue.close()
    }

    /// Accounts every batch in order on the calling thread, then waits for the reading thread.
    func drain(
        into session: inout AnalysisSession, progress: (Int, UInt64, UInt64) -> Void,
        observe: ((ExchangeView, inout TrafficAnalyzer) -> Void)?
    ) {
        var linesBefore = session.summary.lines
        while let batch = queue.pop() {
            var next = 0
            let count = batch.count
            batch.forEach { i, x, r, newRoute in
                // The model's tables are far larger than the caches: ask for what the exchanges
                // a little further on will touch while this one is accounted.
                if i + Self.farAhead < count {
                    let k = batch.prefetchKeys(i + Self.farAhead)
                    session.analyzer.prefetch(method: k.method, pathHash: k.pathHash, clientHash: k.clientHash, far: true)
                }
                if i + Self.nearAhead < count {
                    let k = batch.prefetchKeys(i + Self.nearAhead)
                    session.analyzer.prefetch(method: k.method, pathHash: k.pathHash, clientHash: k.clientHash, far: false)
                }
                if let observe { observe(x, &session.analyzer) }
                session.analyzer.record(x, route: Int(r.route), newRoute: newRoute, pathHash: r.pathHash, clientHash: r.clientHash)
                if next < batch.normalizers.count, batch.normalizers[next].after == i {
                    session.analyzer.adopt(normalizer: batch.normalizers[next].normalizer)
                    next += 1
                }
            }
            if let p = batch.progress { progress(p.source, p.bytes, linesBefore + UInt64(p.lines)) }
            if let report = batch.finished {
                session.add(report)
                linesBefore = session.summary.lines
            }
            queue.recycle(batch)
        }
        thread?.join()
    }
}
