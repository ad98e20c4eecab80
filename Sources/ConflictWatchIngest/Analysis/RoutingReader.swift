import ConflictWatchCore

/// The reading half of a two-thread analysis: on a thread of its own it reads every source
/// (`SourceIngestor`: framing, decoding, parsing), hashes each exchange and queues
/// `RoutedBatch`es; `drain` accounts them on the caller's thread. One `RouteResolver` routes every
/// exchange in order: on the reading thread, or, when that thread is the busier one by enough,
/// on the accounting thread from some batch on (`RoutingPlacement` decides and says why).
final class RoutingReader: @unchecked Sendable {
    private let queue = BatchQueue<RoutedBatch>(depth: RoutedBatch.depth) { RoutedBatch() }
    private let paths: [String]
    private let ingestor: SourceIngestor
    /// Until the reading thread takes it (see `read`).
    private var resolver: RouteResolver?
    /// The resolver's path-cache prefetcher, taken before the reading thread starts: the table
    /// never moves, whichever thread owns the resolver.
    private let prefetcher: RouteCachePrefetcher
    private var placement: RoutingPlacement
    private var thread: WorkerThread?

    private init(paths: [String], ingestor: SourceIngestor, parameters: ModelParameters, placement: RoutingPlacement.Policy) {
        self.paths = paths
        self.ingestor = ingestor
        let resolver = RouteResolver(parameters: parameters)
        prefetcher = resolver.prefetcher
        self.resolver = resolver
        self.placement = RoutingPlacement(policy: placement)
    }

    static func start(
        paths: [String], ingestor: SourceIngestor, parameters: ModelParameters, placement: RoutingPlacement.Policy = .measured
    ) throws(WorkerThreadError) -> RoutingReader {
        let reader = RoutingReader(paths: paths, ingestor: ingestor, parameters: parameters, placement: placement)
        reader.thread = try WorkerThread { reader.read() }
        return reader
    }

    /// The reading thread: every source in order, then the queue is closed.
    private func read() {
        // Moved into a local, not used as the property: `&self.resolver` per line is a
        // dynamically checked access to a class's property (~1.5 % of the reading thread), and
        // a copy would share the route table's buffers with the property, so the first write
        // would copy them all (2.7 MiB more at start-up).
        var resolver = self.resolver.take()
        var placement = self.placement
        defer { self.placement = placement }
        // Nil once routing has moved to the accounting thread (`RoutedBatch.append`).
        var prefetcher: RouteCachePrefetcher? = self.prefetcher
        var batch = queue.take()
        // What the per-line closure calls the batch through, without a reference count: a
        // captured `var` of a class type (even `unowned(unsafe)`) was retained and released
        // around every call made through it, in a dynamically checked access (10 % of this
        // thread's samples). `batch` keeps it alive; `current` is set again wherever `batch` is.
        var current = Unmanaged.passUnretained(batch)
        var generation = resolver!.normalizer.generation
        var clock = RoutingPlacement.Clock()
        for (i, path) in paths.enumerated() {
            let report = ingestor.run(path: path, progress: { bytes, lines in
                batch.progress = (i, bytes, lines)
            }) { x, _ in
                let full = current._withUnsafeGuaranteedRef { b in
                    b.append(x, prefetchingWith: prefetcher)
                    return b.isFull
                }
                if full {
                    batch = queue.handOver(batch, routing: &resolver, generation: &generation, placement: &placement, clock: &clock)
                    current = Unmanaged.passUnretained(batch)
                    if resolver == nil { prefetcher = nil }
                }
            }
            batch.finished = report
            batch = queue.handOver(batch, routing: &resolver, generation: &generation, placement: &placement, clock: &clock)
            current = Unmanaged.passUnretained(batch)
            if resolver == nil { prefetcher = nil }
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
        // Once the reading thread hands it over (`RoutingPlacement`).
        var resolver: RouteResolver?
        var generation = 0
        // Several batches per wake-up: nothing here waits on the latest line.
        while let batch = queue.pop(waitingFor: RoutedBatch.depth / 2) {
            let started = SystemClock.monotonicNanos()
            if let handed = batch.handedResolver.take() { (resolver, generation) = handed }
            if resolver != nil { batch.route(with: &resolver!, generation: &generation, prefetching: prefetcher) }
            batch.account(into: &session.analyzer, before: observe, lastTime: &lastTime)
            batch.accountingNanos = max(1, SystemClock.monotonicNanos() &- started)
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

extension BatchQueue where Batch == RoutedBatch {
    /// `analyze`'s hand-over: routes `batch` or passes it on for the accounting thread to route
    /// (with the resolver, the first time), as `placement` says; pushes it and returns the next
    /// empty batch, whose report of the accounting thread's time goes to `placement`.
    @inline(__always)
    func handOver(
        _ batch: RoutedBatch, routing resolver: inout RouteResolver?, generation: inout Int,
        placement: inout RoutingPlacement, clock: inout RoutingPlacement.Clock
    ) -> RoutedBatch {
        let filled = SystemClock.monotonicNanos()
        switch placement.filled(readerNanos: filled &- clock.started) {
        case .route:
            batch.route(with: &resolver!, generation: &generation)
            placement.routed(nanos: SystemClock.monotonicNanos() &- filled)
        case .handOver:
            batch.handedResolver = (resolver.take()!, generation)
        case .pass:
            break
        }
        push(batch)
        let next = take()
        if next.accountingNanos > 0 {
            placement.accounted(nanos: next.accountingNanos)
            next.accountingNanos = 0
        }
        clock.started = SystemClock.monotonicNanos()
        return next
    }
}
