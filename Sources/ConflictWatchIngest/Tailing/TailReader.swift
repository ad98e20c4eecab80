import ConflictWatchCore
import Synchronization

/// The reading half of the daemon on two threads: on a thread of its own it follows the files
/// (`LogTailer`), decodes every line and routes each exchange with its own `RouteResolver`, and
/// queues `RoutedBatch`es; the pipeline's task accounts them (`account`) and flushes. Every
/// pass over the files that read something ends with a batch carrying the pass's
/// `TailProgress`, and the accounting only commits checkpoints from such an end, so the
/// checkpoints always cover exactly the exchanges the committed model has seen.
package final class TailReader: @unchecked Sendable {
    /// Batches accounted per `account` call at most, so a reader that keeps the queue full still
    /// lets the pipeline flush and publish its status.
    package static let batchesPerCall = 64

    /// Deeper than `analyze`'s: the accounting side stops for its commits (the model's snapshot
    /// and a SQLite transaction, tens of milliseconds), and the reading thread should go on
    /// meanwhile rather than wait on a full queue. Batches cost memory only once used.
    static let depth = 32

    private let queue = BatchQueue<RoutedBatch>(depth: TailReader.depth) { RoutedBatch() }
    private let tailer: LogTailer
    /// Until the reading thread takes it (see `read`).
    private var resolver: RouteResolver?
    /// The line decoder per source (format auto-detection is per file); handed to the next
    /// reader after a SIGHUP so detection is not redone.
    package private(set) var decoders: [String: LineDecoder]
    private let makeDecoder: @Sendable (String) -> LineDecoder
    private var report: SourceReport
    private let waitForChange: @Sendable (Int32) -> Void
    private let stopping = Atomic<Bool>(false)
    /// A fleet agent's: the reading thread encodes each batch as a block of the fleet summary.
    private let encodesFleetBlocks: Bool
    /// Bumped by the accounting side when it cuts a summary (or cannot take a block); the
    /// reading thread starts a new scope with the next batch it encodes after seeing the bump,
    /// so that a scope, and the preamble a summary may need for it, spans about one summary.
    private let fleetScopeRequests = Atomic<Int>(0)
    private var thread: WorkerThread?
    /// Accounting side: the last batch taken ended a pass (nothing of a later pass is accounted).
    private var atPassEnd = true
    /// Accounting side: the time of the last exchange accounted (`RoutedBatch.account`).
    private var lastTime = Int64.min

    private init(tailer: LogTailer, resolver: RouteResolver, report: SourceReport, decoders: [String: LineDecoder],
                 makeDecoder: @escaping @Sendable (String) -> LineDecoder, waitForChange: @escaping @Sendable (Int32) -> Void,
                 encodesFleetBlocks: Bool) {
        self.tailer = tailer
        self.encodesFleetBlocks = encodesFleetBlocks
        self.resolver = resolver
        self.report = report
        self.decoders = decoders
        self.makeDecoder = makeDecoder
        self.waitForChange = waitForChange
    }

    /// Starts reading on a new thread. `tailer` (already restored from the checkpoints) is the
    /// reader's alone from now on; `resolver` must resolve as the accounting's analyzer does
    /// (`RouteResolver.independentCopy()` of it); `report` are the counts so far;
    /// `waitForChange(ms)` blocks until a followed directory changes or the time passes;
    /// `encodesFleetBlocks`: a fleet agent's, whose summaries `account` fills from the blocks
    /// this thread encodes.
    package static func start(
        tailer: LogTailer, resolver: RouteResolver, report: SourceReport, decoders: [String: LineDecoder] = [:],
        makeDecoder: @escaping @Sendable (String) -> LineDecoder, waitForChange: @escaping @Sendable (Int32) -> Void,
        encodesFleetBlocks: Bool = false
    ) throws(WorkerThreadError) -> TailReader {
        let reader = TailReader(tailer: tailer, resolver: resolver, report: report, decoders: decoders,
                                makeDecoder: makeDecoder, waitForChange: waitForChange, encodesFleetBlocks: encodesFleetBlocks)
        reader.thread = try WorkerThread { reader.read() }
        return reader
    }

    /// The reading thread: a pass over the files, its end handed over, until asked to stop.
    private func read() {
        // Locals, not the properties: `&self.resolver` per line is a dynamically checked
        // access to a class's property (~1.5 % of the reading thread). The resolver is moved,
        // not copied: a copy would share the route table's buffers with the property, and the
        // first write would copy them all.
        var resolver = self.resolver.take()!
        let prefetcher = resolver.prefetcher
        var report = self.report
        defer { self.report = report }
        var batch = queue.take()
        // What the per-line closure calls the batch through, without a reference count: a
        // captured `var` of a class type (even `unowned(unsafe)`) is retained and released
        // around every call made through it, in a dynamically checked access. `batch` keeps it
        // alive; `current` is set again wherever `batch` is.
        var current = Unmanaged.passUnretained(batch)
        // The reader itself, the same way: the closure capturing `self` (or any other object)
        // retained and released it around every line's decoding, 4-5 % of the reading thread.
        let me = Unmanaged.passUnretained(self)
        var generation = resolver.normalizer.generation
        var learned = resolver.normalizer.learnerChanges
        var exchange = ExchangeView()
        // The current file's decoder, not optional: mutating a captured `LineDecoder?` through
        // `!` copied the whole decoder (and retained its parts) per line. The placeholder is
        // never used: `decoderFile` is 0 until the first line's file gives the real one.
        var decoder = LineDecoder(format: .combined)
        var decoderSource = ""
        // The file whose lines came last (its serial; 0, which no file has, until the first
        // line), compared by identity rather than by its source's name.
        var decoderFile: UInt64 = 0
        var fileCount = -1
        // The fleet summary's blocks: one scope until the accounting asks for a new one.
        var encoder = FleetBlockEncoder()
        var scopeRequests = 0
        let encodes = encodesFleetBlocks
        while !stopping.load(ordering: .relaxed) {
            let n = tailer.poll(now: SystemClock.monotonicSeconds()) { file, line, event, number in
                if file.serial != decoderFile {
                    let source = file.source
                    if decoderFile == 0 || source != decoderSource {
                        me._withUnsafeGuaranteedRef { reader in
                            if decoderFile != 0 { reader.decoders[decoderSource] = decoder }
                            decoder = reader.decoders[source] ?? reader.makeDecoder(source)
                        }
                        decoderSource = source
                    }
                    decoderFile = file.serial
                }
                if decoder.decode(line, event, number: Int(number), into: &exchange, report: &report) {
                    let full = current._withUnsafeGuaranteedRef { b in
                        b.append(exchange, prefetchingWith: prefetcher)
                        return b.isFull
                    }
                    if full {
                        batch = me._withUnsafeGuaranteedRef { reader in
                            if encodes { reader.encodeFleetBlock(batch, with: &encoder, scopeRequests: &scopeRequests) }
                            return reader.queue.handOver(batch, routing: &resolver, generation: &generation, learned: &learned)
                        }
                        current = Unmanaged.passUnretained(batch)
                    }
                }
            }
            // A pass that found or lost a file ends too, so its checkpoints get stored.
            if n > 0 || tailer.fileCount != fileCount {
                fileCount = tailer.fileCount
                batch.tail = TailProgress(positions: tailer.positions(), report: report, fileCount: fileCount,
                                          unreadBytes: tailer.unreadBytes(), bytesRead: n)
                if encodes { encodeFleetBlock(batch, with: &encoder, scopeRequests: &scopeRequests) }
                batch = queue.handOver(batch, routing: &resolver, generation: &generation, learned: &learned)
                current = Unmanaged.passUnretained(batch)
            }
            if n == 0 { waitForChange(100) }
        }
        if decoderFile != 0 { decoders[decoderSource] = decoder }
        queue.recycle(batch)
        queue.close()
    }

    /// The reading thread, for a fleet agent: encodes `batch` as a block of the fleet summary,
    /// in a new scope when the accounting side has asked for one since the last block. (Not a
    /// local function of `read`: one there made the per-line closure retain and release its
    /// context on every line.)
    private func encodeFleetBlock(_ batch: RoutedBatch, with encoder: inout FleetBlockEncoder, scopeRequests: inout Int) {
        guard batch.count > 0 else { return }
        let requests = fleetScopeRequests.load(ordering: .relaxed)
        if requests != scopeRequests {
            scopeRequests = requests
            encoder.startScope()
        }
        batch.encodeFleetBlock(with: &encoder)
    }

    /// Accounts, in order, the batches ready now (at most `limit`) and, when
    /// `toPassEnd`, waits for the rest of a pass already begun. `atNewTime` sees the time of
    /// each exchange whose time differs from the one before, before the analyzer sees it.
    /// Returns the exchanges accounted, the bytes the ended passes read, and the newest pass end
    /// taken.
    package func account(
        into analyzer: inout TrafficAnalyzer, toPassEnd: Bool, limit: Int = batchesPerCall,
        atNewTime: ((Int64, inout TrafficAnalyzer) -> Void)?
    ) -> (exchanges: Int, bytes: Int, passEnd: TailProgress?) {
        var exchanges = 0
        var bytes = 0
        var passEnd: TailProgress?
        var taken = 0
        while true {
            let batch: RoutedBatch?
            if toPassEnd && !atPassEnd {
                batch = queue.pop()
            } else if taken < limit {
                batch = queue.tryPop()
            } else {
                batch = nil
            }
            guard let batch else { break }
            taken += 1
            accountOne(batch, into: &analyzer, atNewTime: atNewTime)
            exchanges += batch.count
            if let t = batch.tail {
                bytes += t.bytesRead
                passEnd = t
                atPassEnd = true
            } else {
                atPassEnd = false
            }
            queue.recycle(batch)
        }
        return (exchanges, bytes, passEnd)
    }

    /// Accounts `batch`; a fleet agent's summary takes the block the reading thread encoded
    /// (`FleetSummaryWriter.absorb`). When it cannot (`canAbsorb`: a block continuing a scope
    /// whose start the summary's writer never saw, as after a reload that made it anew), the
    /// analyzer encodes each exchange as it accounts it, and a new scope is asked for.
    @inline(__always)
    private func accountOne(_ batch: RoutedBatch, into analyzer: inout TrafficAnalyzer, atNewTime: ((Int64, inout TrafficAnalyzer) -> Void)?) {
        guard batch.hasFleetBlock, analyzer.fleetTap != nil else {
            batch.account(into: &analyzer, before: nil, atNewTime: atNewTime, lastTime: &lastTime)
            return
        }
        if analyzer.fleetTap!.canAbsorb(batch.fleetBlock) {
            // Out of the analyzer while it accounts, which would otherwise encode each exchange.
            var tap = analyzer.fleetTap.take()!
            batch.account(into: &analyzer, before: nil, atNewTime: atNewTime, lastTime: &lastTime)
            tap.absorb(batch.fleetBlock)
            analyzer.fleetTap = tap
        } else {
            // Asked again for each such block: the reading thread starts one scope for however
            // many requests it finds at its next block.
            requestFleetScope()
            batch.account(into: &analyzer, before: nil, atNewTime: atNewTime, lastTime: &lastTime)
        }
    }

    /// Asks the reading thread to start a new scope of fleet summary blocks: the summary was
    /// cut (its successor must start with a block that starts a scope).
    package func requestFleetScope() {
        fleetScopeRequests.add(1, ordering: .relaxed)
    }

    /// Blocks until the reading thread hands over a batch, at most `micros`; true when one is
    /// ready.
    package func waitForBatch(micros: Int) -> Bool { queue.waitForBatch(micros: micros) }

    /// Stops the reading thread after its current pass and accounts everything it read; returns
    /// as `account` does. The reader is done afterwards.
    package func finish(
        into analyzer: inout TrafficAnalyzer, atNewTime: ((Int64, inout TrafficAnalyzer) -> Void)?
    ) -> (exchanges: Int, bytes: Int, passEnd: TailProgress?) {
        stopping.store(true, ordering: .relaxed)
        var total = (exchanges: 0, bytes: 0, passEnd: TailProgress?.none)
        while let batch = queue.pop() {
            accountOne(batch, into: &analyzer, atNewTime: atNewTime)
            total.exchanges += batch.count
            if let t = batch.tail {
                total.bytes += t.bytesRead
                total.passEnd = t
            }
            queue.recycle(batch)
        }
        thread?.join()
        atPassEnd = true
        return total
    }

    /// Stops the reading thread, discarding what it read and nobody accounted (the pipeline is
    /// going away without a flush: its checkpoints in the store are still the last good ones).
    package func abandon() {
        stopping.store(true, ordering: .relaxed)
        while let batch = queue.pop() { queue.recycle(batch) }
        thread?.join()
    }
}
