import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Live capture (`capture -i`): libpcap is read on a thread of its own that copies packets
/// into batches; the caller's thread runs the reconstructor over them, so the capture keeps
/// draining the kernel ring while exchanges are analysed. `stop()` (from a signal handler's
/// queue) ends both: the capture thread hands over what it has, the pipeline finishes every
/// connection, and `run` returns the counters with the kernel's drop counts.
public final class LiveCapture: @unchecked Sendable {
    private let handle: PcapHandle
    private let queue: BatchQueue<PacketBatch>
    private var thread: WorkerThread?
    private var failure: String? = nil
    private var stopping = false
    /// How often (wall clock) kernel counters are read and `tick` is called.
    public var statisticsInterval: Int64 = 5_000_000
    /// After `stop()`, packets the kernel still holds (it hands them over in blocks, at the
    /// latest after the read timeout) are read for this long, so a stop loses nothing that
    /// was already captured.
    public var drainMicros: Int64 = 300_000

    public init(handle: PcapHandle, queueDepth: Int = 8) {
        self.handle = handle
        queue = BatchQueue(depth: queueDepth) { PacketBatch() }
    }

    /// Asks the capture to end; safe from any thread.
    public func stop() {
        stopping = true
        handle.breakLoop()
    }

    public struct Result {
        public var report: CaptureReport
        /// libpcap's message when the capture failed (not when it was stopped).
        public var error: String?
    }

    /// Captures until `stop()` or a failure. `onExchange`, `afterBatch` (e.g. to flush output)
    /// and `tick` (counters with the kernel's drops, every `statisticsInterval`) run on the
    /// calling thread.
    public func run(
        configuration: CaptureConfiguration,
        tick: (CaptureReport) -> Void = { _ in },
        afterBatch: () -> Void = {},
        onExchange: (inout ExchangeView, Int) -> Void
    ) -> Result {
        guard handle.linkType.isSupported else {
            return Result(report: CaptureReport(), error: "link type \(handle.linkType.name) is not supported")
        }
        do {
            thread = try WorkerThread { self.captureLoop() }
        } catch {
            return Result(report: CaptureReport(), error: "cannot start the capture thread: \(error.description)")
        }
        var reconstructor = ExchangeReconstructor(linkType: handle.linkType, configuration: configuration)
        var drops: (received: UInt64, dropped: UInt64, interfaceDropped: UInt64)? = nil
        var nextTick = Self.wallMicros() + statisticsInterval
        while let batch = queue.pop() {
            for r in batch.records {
                reconstructor.process(time: r.time, frame: batch.frame(r), sink: onExchange)
            }
            if let s = batch.statistics { drops = s }
            queue.recycle(batch)
            afterBatch()
            let now = Self.wallMicros()
            // Idle connections close on wall-clock time too, even when no packet comes.
            reconstructor.advanceClock(to: now, sink: onExchange)
            if now >= nextTick {
                nextTick = now + statisticsInterval
                tick(Self.with(drops, reconstructor.report))
            }
        }
        thread?.join()
        if let s = handle.statistics() { drops = s }
        reconstructor.finish(sink: onExchange)
        afterBatch()
        return Result(report: Self.with(drops, reconstructor.report), error: failure)
    }

    private func captureLoop() {
        var batch = queue.take()
        var nextStatistics = Self.wallMicros() + statisticsInterval / 2
        func handOver() {
            let now = Self.wallMicros()
            if now >= nextStatistics {
                nextStatistics = now + statisticsInterval / 2
                batch.statistics = handle.statistics()
            }
            queue.push(batch)
            batch = queue.take()
        }
        // Non-blocking reads and our own bounded wait: what a burst ends with is handed over as
        // soon as the ring is empty, not when the next packet happens to come.
        handle.setNonBlocking(true)
        reading: while true {
            switch handle.next() {
            case .packet(let time, let data, _):
                if batch.isFull(adding: data.count) { handOver() }
                batch.append(time: time, data)
            case .timeout:
                if !batch.isEmpty { handOver() }
                if stopping { break reading }
                // Quiet link: an empty batch still lets the pipeline close idle connections and
                // read the kernel's counters.
                if !handle.waitForPackets(timeoutMillis: 100) { handOver() }
            case .end:
                break reading
            case .failure(let message):
                if !stopping { failure = message }
                break reading
            }
        }
        if stopping {
            handle.setNonBlocking(true)
            let deadline = Self.wallMicros() + drainMicros
            draining: while Self.wallMicros() < deadline {
                switch handle.next() {
                case .packet(let time, let data, _):
                    if batch.isFull(adding: data.count) { handOver() }
                    batch.append(time: time, data)
                case .timeout, .end:
                    usleep(10_000)
                case .failure:
                    break draining
                }
            }
        }
        queue.push(batch)
        queue.close()
    }

    static func with(_ drops: (received: UInt64, dropped: UInt64, interfaceDropped: UInt64)?, _ report: CaptureReport) -> CaptureReport {
        var r = report
        if let drops {
            r.kernelDrops = drops.dropped
            r.interfaceDrops = drops.interfaceDropped
        } else {
            r.kernelDrops = 0
            r.interfaceDrops = 0
        }
        return r
    }

    static func wallMicros() -> Int64 { SystemClock.wallMicros() }
}
