import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchIngest
import ConflictWatchServer
import ConflictWatchStore
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// The `tail`/`run` daemon as a service (swift-service-lifecycle): it owns the ingest pipeline
/// in its own task. On graceful shutdown (SIGINT/SIGTERM, through the service group) it stops
/// reading, flushes and checkpoints, then returns; SIGHUP closes and reopens every file.
public struct TailService: Service {
    let settings: DaemonSettings
    let logger: Logger
    /// Reads the configuration again on SIGHUP (`run --config`); nil keeps the settings.
    let reloadSettings: (@Sendable () throws -> DaemonSettings)?
    /// Outlives the pipelines a SIGHUP swaps, so `/metrics`' route labels do too.
    let status: StatusPublisher
    let outbox: WebhookOutbox?
    /// The store, opened as its one writer by `Daemon.run`, which holds the daemon lock.
    let store: ConflictStore
    /// Live interfaces, opened by `Daemon.run`; started with the pipeline, stopped before its
    /// last flush.
    let captures: [InterfaceCapture]
    /// A fleet agent's unshipped summaries: reading pauses while they fill their bound.
    let fleetBacklog: FleetBacklog?

    init(settings: DaemonSettings, store: ConflictStore, logger: Logger, status: LiveStatus = LiveStatus(),
         outbox: WebhookOutbox? = nil, captures: [InterfaceCapture] = [], fleet: FleetAgentStatus? = nil,
         reloadSettings: (@Sendable () throws -> DaemonSettings)? = nil) {
        self.settings = settings
        self.store = store
        self.captures = captures
        self.logger = logger
        self.status = StatusPublisher(status, fleet: fleet)
        fleetBacklog = fleet?.backlog
        self.outbox = outbox
        self.reloadSettings = reloadSettings
    }

    public func run() async throws {
        // However this ends, the webhook sender gets no more events and may finish.
        defer { outbox?.finish() }
        let watcher = ChangeWatcher(directories: settings.sources.map { Self.watchDirectory($0.pattern) }, logger: logger)
        var pipeline = IngestPipeline(settings: settings, store: store, logger: logger, status: status, outbox: outbox,
                                      fleetBacklog: fleetBacklog, captures: captures,
                                      waitForChange: { watcher.waitBlocking(timeoutMillis: $0) })
        try pipeline.start(now: SystemClock.monotonicSeconds())
        for c in captures { c.start() }
        // However the loop ends, the capture threads are stopped (and joined).
        defer { for c in captures { c.stop() } }
        let reload = ReloadRequest()
        logger.info("daemon started", metadata: [
            "store": "\(store.path)", "sources": "\(settings.sources.map(\.pattern))", "pid": "\(getpid())"])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sighup) {
                    reload.request()
                }
            }
            pipeline = try await loop(pipeline, store: store, watcher: watcher, reload: reload)
            group.cancelAll()
        }
        // What the reading thread and the captures held when they stopped (the captures finish
        // every open connection).
        pipeline.stopReading()
        for c in captures { c.stop() }
        let now = SystemClock.monotonicSeconds()
        pipeline.step(now: now)
        try pipeline.flush(now: now)
        pipeline.saveLearnedStateIfDue(now: now, force: true)
        let c = pipeline.counters
        logger.info("daemon stopped; state flushed", metadata: [
            "lines": "\(c.lines)", "exchanges": "\(c.exchanges)", "malformed": "\(c.malformed)"])
    }

    /// Reads until graceful shutdown; idles on the watcher when there is nothing new.
    /// Returns the pipeline in use at the end (a reload may have replaced it).
    func loop(_ first: IngestPipeline, store: ConflictStore, watcher: ChangeWatcher, reload: ReloadRequest) async throws -> IngestPipeline {
        var pipeline = first
        var idleWait = IdleBackoff()
        var paused = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = SystemClock.monotonicSeconds()
            if reload.take() {
                pipeline = try reloaded(pipeline, store: store, now: now)
            }
            // The fleet's PostgreSQL has been away long enough to fill the outbox: stop reading
            // (the logs hold the rest; the checkpoints say where to go on) until it drains.
            if let backlog = fleetBacklog, backlog.isFull {
                if !paused {
                    paused = true
                    logger.warning("fleet outbox full; reading paused until the fleet database takes it", metadata: [
                        "outbox_bytes": "\(backlog.pendingBytes)", "max_bytes": "\(backlog.maxBytes)"])
                }
                try pipeline.flushIfDue(now: now)
                try? await Task.sleep(for: .milliseconds(200))
                continue
            } else if paused {
                paused = false
                logger.notice("fleet outbox drained; reading again")
            }
            let n = pipeline.step(now: now)
            pipeline.publishLag(now: now)
            do {
                try pipeline.flushIfDue(now: now)
            } catch {
                // A store that cannot be written must not lose lines: stop and let the
                // checkpoints (the last good flush) resume the next run.
                logger.error("store write failed; stopping", metadata: ["error": "\(error)"])
                throw error
            }
            if n == 0 {
                try pipeline.flushIfDue(now: now + 1)
                if pipeline.readsOnAnotherThread {
                    // The reading thread waits on the files; this task only on its batches: right
                    // after traffic it blocks for the next one (a millisecond at most, as long as
                    // a commit holds it anyway), then sleeps longer and longer.
                    let wait = idleWait.next()
                    if wait > IdleBackoff.blockingLimit {
                        try? await Task.sleep(for: .microseconds(wait))
                    } else {
                        _ = pipeline.waitForBatch(micros: wait)
                    }
                } else {
                    await watcher.wait(timeoutMillis: 100)
                }
            } else {
                idleWait.reset()
            }
        }
        return pipeline
    }

    /// SIGHUP: with a config file, read it again; changed settings get a new pipeline (resuming
    /// from the checkpoints just flushed), unchanged ones just reopen every file. A config that
    /// no longer parses is logged and the running settings are kept. Either way the open alerts
    /// stay open: the new pipeline takes the running model over (same model parameters) or
    /// restores it from the snapshot just committed (changed ones); when that snapshot cannot
    /// be used under the new parameters (other `bucket_seconds` or `conflict_statuses`) the running
    /// pipeline is kept rather than closing every open alert, and the log says to restart.
    func reloaded(_ pipeline: IngestPipeline, store: ConflictStore, now: Double) throws -> IngestPipeline {
        if let reloadSettings {
            do {
                let next = try reloadSettings()
                if next != pipeline.settings {
                    logger.notice("SIGHUP: configuration changed; restarting the pipeline", metadata: [
                        "sources": "\(next.sources.map(\.pattern))"])
                    pipeline.stopReading()
                    try pipeline.flush(now: now)
                    if next.webhooks != pipeline.settings.webhooks || next.listen != pipeline.settings.listen
                        || next.interfaces != pipeline.settings.interfaces {
                        logger.notice("SIGHUP: webhooks, interfaces and the listen address take effect at the next start")
                    }
                    let fresh = IngestPipeline(settings: next, store: store, logger: logger, status: status, outbox: outbox,
                                               fleetBacklog: fleetBacklog, captures: captures,
                                               waitForChange: pipeline.waitForChange, continuing: pipeline)
                    if fresh.restored || pipeline.openAlertCount == 0 {
                        try fresh.start(now: now)
                        return fresh
                    }
                    logger.error("SIGHUP: the new model parameters cannot continue the running model; keeping the running configuration", metadata: [
                        "open_alerts": "\(pipeline.openAlertCount)",
                        "apply": "restart the daemon (its open alerts are then closed and reported again if still going on)"])
                }
            } catch {
                logger.error("SIGHUP: configuration not reloaded; keeping the running one", metadata: ["error": "\(error)"])
            }
        }
        logger.info("SIGHUP: reopening files")
        try pipeline.reopen(now: now)
        return pipeline
    }

    /// The directory to watch for a file or glob (the part before any wildcard).
    static func watchDirectory(_ pattern: String) -> String {
        var dir = PathParts.split(pattern).dir
        while dir.contains(where: { "*?[".contains($0) }) { dir = PathParts.split(dir).dir }
        return dir
    }
}
