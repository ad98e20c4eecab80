import ConflictWatchCore

/// The reading half of a two-thread analysis: on a thread of its own it reads every source
/// (`SourceIngestor`: framing, decoding, parsing), hashes and routes each exchange with its own
/// `RouteResolver`, and queues `RoutedBatch`es; `drain` accounts them on the caller's thread.
final class RoutingReader: @unchecked Sendable {
    private let queue = BatchQueue<RoutedBatch>(depth: RoutedBatch.depth) { RoutedBatch() }
    private let paths: [String]
    private let ingestor: SourceIngestor
    /// Until the reading thread takes it (see `read`).
    private var resolver: RouteResolver?
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
        // Moved into a local, not used as the property: `&self.resolver` per line is a
        // dynamically checked access to a class's property (~1.5 % of the reading thread), and
        // a copy would share the route table's buffers with the property, so the first write
        // would copy them all (2.7 MiB more at start-up).
        var resolver = self.resolver.take()!
        let prefetcher = resolver.prefetcher
        var batch = queue.take()
        // What the per-line closure calls the batch through, without a reference count: a
        // captured `var` of a class type (even `unowned(unsafe)`) was retained and released
        // around every call made through it, in a dynamically checked access (10 % of this
        // thread's samples). `batch` keeps it alive; `current` is set again wherever `batch` is.
        var current = Unmanaged.passUnretained(batch)
        var generation = resolver.normalizer.generation
        for (i, path) in paths.enumerated() {
            let report = ingestor.run(path: path, progress: { bytes, lines in
                batch.progress = (i, bytes, lines)
            }) { x, _ in
                let full = current._withUnsafeGuaranteedRef { b in
                    b.append(x, prefetchingWith: prefetcher)
                    return b.isFull
                }
                if full {
                    batch = queue.handOver(batch, routing: &resolver, generation: &generation)
                    current = Unmanaged.passUnretained(batch)
                }
            }
            batch.finished = report
            batch = queue.handOver(batch, routing: &resolver, generation: &generation)
            current = Unmanaged.passUnretained(batch)
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
        var lastTime = Int64.min
        // Several batches per wake-up: nothing here waits on the latest line.
        while let batch = queue.pop(waitingFor: RoutedBatch.depth / 2) {
            batch.account(into: &session.analyzer, before: observe, lastTime: &lastTime)
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
