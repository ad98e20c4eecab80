import ConflictWatchCapture
import ConflictWatchCore
import Foundation
import Logging
import Synchronization

/// One live interface source of the daemon (SPEC §4, `run --config` `interface:` sources): the
/// packet capture and HTTP reconstruction run on a thread of their own (libpcap blocks), which
/// copies finished exchanges into batches of up to 512; the pipeline's task takes whole batches
/// and feeds them to the same model as the tailed files. Only batches cross the lock.
final class InterfaceCapture: Sendable {
    static let batchSize = 512

    let settings: LiveCaptureSettings
    private let capture: LiveCapture
    private let logger: Logger
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    private struct State {
        /// Full batches waiting for the pipeline, oldest first.
        var ready: [ExchangeBatch] = []
        /// Emptied batches handed back, reused by the capture thread.
        var spare: [ExchangeBatch] = []
        var report = CaptureReport()
        var failure: String?
        var running = false
    }

    /// Opens the interface now (so a missing permission or a bad filter stops the start with
    /// libpcap's message); capturing begins with `start()`.
    init(settings: LiveCaptureSettings, logger: Logger) throws(PcapError) {
        self.settings = settings
        self.logger = logger
        capture = LiveCapture(handle: try PcapHandle.openLive(settings))
        // The report (packets, pcap_stats drops) feeds /metrics' packet counters: every second
        // rather than the default five keeps them about as current as the other series.
        capture.statisticsInterval = 1_000_000
    }

    func start(configuration: CaptureConfiguration = CaptureConfiguration()) {
        state.withLock { $0.running = true }
        let thread = Thread { [self] in
            var batch = ExchangeBatch(capacity: Self.batchSize)
            func handOver() {
                guard !batch.isEmpty else { return }
                let next = state.withLock { s -> ExchangeBatch in
                    s.ready.append(batch)
                    return s.spare.popLast() ?? ExchangeBatch(capacity: Self.batchSize)
                }
                batch = next
            }
            let result = capture.run(
                configuration: configuration,
                tick: { report in self.state.withLock { $0.report = report } },
                afterBatch: handOver
            ) { x, _ in
                batch.append(x)
                if batch.count >= Self.batchSize { handOver() }
            }
            handOver()
            state.withLock {
                $0.report = result.report
                $0.failure = result.error
                $0.running = false
            }
            if let error = result.error {
                logger.error("capture failed; this interface is no longer read", metadata: [
                    "interface": "\(settings.interface)", "error": "\(error)"])
            }
            finished.signal()
        }
        thread.name = "capture \(settings.interface)"
        thread.start()
        logger.info("capturing", metadata: ["interface": "\(settings.interface)", "filter": "\(settings.filter ?? "none")"])
    }

    /// The batches captured since the last call, oldest first; hand them back with `recycle`
    /// once read.
    func take() -> [ExchangeBatch] {
        state.withLock { s in
            var taken: [ExchangeBatch] = []
            swap(&taken, &s.ready)
            return taken
        }
    }

    /// Empties the batches and keeps a few for the capture thread. They are moved out of the
    /// array one by one, so each is uniquely owned and keeps its memory: no allocation per batch.
    func recycle(_ batches: inout [ExchangeBatch]) {
        var emptied: [ExchangeBatch] = []
        while var batch = batches.popLast() {
            batch.removeAll()
            emptied.append(batch)
        }
        state.withLock { s in
            for batch in emptied where s.spare.count < 8 { s.spare.append(batch) }
        }
    }

    /// Counters as of the last statistics tick (packets, flows, the kernel's drops).
    var report: CaptureReport { state.withLock { $0.report } }

    /// Ends the capture: what the kernel already holds is read and every open connection is
    /// finished, then the thread ends (within about half a second); the batches it handed over
    /// last are then ready for a final `take()`.
    func stop() {
        guard state.withLock({ $0.running }) else { return }
        capture.stop()
        finished.wait()
    }
}
