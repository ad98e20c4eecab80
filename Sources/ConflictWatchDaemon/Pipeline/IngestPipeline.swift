import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchIngest
import ConflictWatchStore
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The live pipeline: tailed lines → parser → analyzer → store. One owner (the tail service's
/// task) drives it; a flush commits the alerts, rollups and hot spots together with the
/// checkpoints of exactly the lines that produced them, so a crash loses or repeats nothing.
/// With `settings.threads` 2 (the default) the files are read, decoded and routed on a thread of
/// their own (`TailReader`) and this task accounts and flushes; with 1 it does it all.
final class IngestPipeline {
    let settings: DaemonSettings
    let store: ConflictStore
    let logger: Logger
    /// Takes a `PipelineStatus` after each flush for `/metrics` and `/healthz`.
    let status: StatusPublisher
    /// Makes the webhook outbox rows committed with alert events; nil when no receiver is configured.
    let outbox: WebhookOutbox?
    /// A fleet agent's unshipped summaries, whose shipper each commit of a summary wakes; nil
    /// on a single server.
    let fleetBacklog: FleetBacklog?
    /// Live interfaces; their threads hand over batches of exchanges that `step` takes.
    let captures: [InterfaceCapture]
    /// The files read on this thread (one thread, or no other to be had); nil while a
    /// `TailReader` reads them, or when there are none.
    private var tailer: LogTailer?
    private var reader: TailReader?
    /// Blocks until a followed directory changes or the milliseconds pass (the reader's idle wait).
    let waitForChange: @Sendable (Int32) -> Void
    /// The end of the last pass the reader handed over that was accounted: what a flush commits.
    private var passEnd: TailProgress?
    /// Batches of the reading thread accounted per `step` at most (tests take fewer).
    var batchesPerStep = TailReader.batchesPerCall
    private var analyzer: TrafficAnalyzer
    /// One line decoder per source (the parser's auto-detection is per file); the one in use is
    /// held outside the dictionary so a line costs no hashing of its source's path.
    private var decoders: [String: LineDecoder] = [:]
    private var decoder: LineDecoder?
    private var decoderSource = ""
    private var rollups: RollupTracker
    private var pendingRollups: [RouteRollup] = []
    private var exchange = ExchangeView()
    private var dirty = false
    private var lastFlush = 0.0
    /// The size of the last model snapshot: the next one's starting capacity.
    private var lastSnapshotSize = 64 * 1024
    private var lastHotspots = -Double.infinity
    private var lastRetention = -Double.infinity
    private var lastLearnedState = 0.0
    /// When the oldest line not yet handed to a commit was read (monotonic); nil when none is.
    private var oldestUncommitted: Double?
    /// Commits on a thread of its own while this task accounts on (with `settings.threads` 2 or
    /// more); nil commits on this task.
    private var committer: StoreCommitter?
    /// What the pipeline still owes the batch in flight once it is committed.
    private var committing: Committing?
    private struct Committing {
        var alerts: [Alert]
        /// The commit's wall-clock time, as its checkpoints say.
        var wallClock: Int64
        /// When its oldest line was read (monotonic).
        var oldest: Double?
    }
    private var lastIdlePublish = -Double.infinity
    /// When the last exchange arrived (monotonic) and the model's clock then: an idle source
    /// moves the clock on by the wall-clock time since, after a grace of one bucket.
    private var lastDataAt: Double?
    private var clockAtData: Int64 = 0
    private var startedOnce = false
    /// The model came back from the store's snapshot, or went on from the pipeline this one
    /// replaces: its open alerts are re-adopted.
    private(set) var restored = false
    private let learnedState: LearnedState
    /// What the followed lines gave, counted by the line decoder as `analyze` counts a file's.
    private var tailCounters = SourceReport(source: "followed files", format: "per source")
    private var capturedExchanges: UInt64 = 0
    /// The followed lines' counts; captured exchanges add to `exchanges`.
    /// How far the model's traffic clock has got, idle time included.
    var modelClock: Int64 { analyzer.model.clock }

    var counters: SourceReport {
        var c = tailCounters
        c.exchanges &+= capturedExchanges
        return c
    }
    /// Which alerts the silences cover; read from the store at `start`.
    private var silences = SilenceTracker()
    /// `/metrics`' labelled series: alerts opened since start; responses by status, recounted
    /// with the routes' totals at most once a second.
    private var alertsOpened: [AlertLabel: UInt64] = [:]
    private var lastRouteTotals = -Double.infinity
    private var statusTotals: [Int: UInt64] = [:]

    /// `continuing`: the pipeline a SIGHUP replaces (flushed just before). With the same model
    /// parameters its model goes on here as it is — open alerts with their ids, evidence and
    /// current bucket, the rollups' running counts, the idle clock — so a reload of sources
    /// changes no verdict and sends no event. With other parameters the model restarts from the
    /// snapshot just committed, as a restart does.
    init(settings: DaemonSettings, store: ConflictStore, logger: Logger,
         status: StatusPublisher = StatusPublisher(), outbox: WebhookOutbox? = nil, fleetBacklog: FleetBacklog? = nil,
         captures: [InterfaceCapture] = [],
         waitForChange: @escaping @Sendable (Int32) -> Void = { usleep(UInt32($0) * 1000) },
         continuing previous: IngestPipeline? = nil) {
        self.settings = settings
        self.waitForChange = waitForChange
        self.store = store
        self.logger = logger
        self.status = status
        self.outbox = outbox
        self.fleetBacklog = fleetBacklog
        self.captures = captures
        learnedState = LearnedState(stateDirectory: settings.stateDirectory)
        if let previous {
            // /metrics' labelled counters go on whatever the reload changed: a reload is not a
            // restart, so none of them may drop (the publisher keeps the routes' labels).
            alertsOpened = previous.alertsOpened
        }
        if let previous, previous.settings.parameters == settings.parameters {
            analyzer = previous.analyzer
            // Joining or leaving a fleet takes effect at a reload too (what was accounted before
            // is in the summaries already committed, or in none).
            if settings.fleet == nil { analyzer.fleetTap = nil } else if analyzer.fleetTap == nil { analyzer.fleetTap = FleetSummaryWriter() }
            rollups = previous.rollups
            pendingRollups = previous.pendingRollups
            lastDataAt = previous.lastDataAt
            clockAtData = previous.clockAtData
            tailCounters = previous.tailCounters
            capturedExchanges = previous.capturedExchanges
            restored = true
            logger.info("model parameters unchanged; the running model goes on", metadata: ["open_alerts": "\(analyzer.model.openAlertCount)"])
            return
        }
        let (parameters, warmRoutes) = learnedState.warmed(settings.parameters, logger: logger)
        if warmRoutes > 0 {
            logger.info("starting warm from learned state", metadata: ["routes": "\(warmRoutes)", "file": "\(learnedState.path)"])
        }
        analyzer = TrafficAnalyzer(parameters: parameters)
        rollups = RollupTracker(bucketSeconds: parameters.bucketSeconds)
        restoreModel()
        analyzer.keepsClosedAlerts = false
        if settings.fleet != nil { analyzer.fleetTap = FleetSummaryWriter() }
    }

    deinit {
        // Gone without a flush (the store failed): the stored checkpoints are the last good ones.
        reader?.abandon()
        // A batch in flight is still committed (the committer's deinit waits for it).
    }

    private static func makeTailer(_ settings: DaemonSettings, logger: Logger) -> LogTailer {
        var tail = LogTailer.Settings(patterns: settings.sources.map(\.pattern))
        tail.fromStart = settings.fromStart
        tail.maxLineLength = settings.maxLineLength
        return LogTailer(settings: tail, logger: logger)
    }

    /// Alerts the model has open (silenced ones included).
    var openAlertCount: Int { analyzer.model.openAlertCount }

    /// Restarts warm from the snapshot committed with the last checkpoints (SPEC §5.5), so the
    /// restart changes no verdict and open alerts keep their ids. A snapshot this build cannot
    /// use means a cold start, said in the log.
    private func restoreModel() {
        // Read: the file the store names may be missing, short or hold other bytes (a power
        // loss); restored: this build may not use what it holds. Either way, a cold start.
        var size: Int?
        do {
            guard let bytes = try store.modelState() else { return }
            size = bytes.count
            try analyzer.restore(bytes)
            restored = true
            logger.info("model state restored", metadata: ["bytes": "\(bytes.count)", "open_alerts": "\(analyzer.model.openAlertCount)"])
        } catch {
            var metadata: Logger.Metadata = ["error": "\(error)", "discarded": "learned model state and open alerts' context (the alerts are closed)"]
            if let size { metadata["bytes"] = "\(size)" }
            logger.warning("stored model state not usable; discarded, starting cold", metadata: metadata)
        }
    }

    /// Resumes from the stored checkpoints of the configured sources.
    func start(now: Double) throws(StoreError) {
        if !startedOnce {
            startedOnce = true
            // Without a model state (a store written before it existed) the open alerts cannot be
            // re-adopted: they are closed instead.
            if !restored { try closeAlertsLeftOpen() }
            var open = AlertFilter()
            open.openOnly = true
            silences = SilenceTracker(openAlerts: try store.alerts(open))
        }
        let rows = try store.checkpoints().filter { row in
            settings.sources.contains { Self.matches($0.pattern, row.source) }
        }
        if settings.threads > 1, committer == nil {
            do {
                committer = try StoreCommitter { [store] batch throws(StoreError) in try store.commit(batch) }
            } catch {
                logger.warning("cannot start the committing thread; committing on the pipeline's", metadata: ["error": "\(error)"])
            }
        }
        if settings.threads > 1, !settings.sources.isEmpty {
            startReader(from: rows.map(\.position), now: now)
        } else {
            let t = tailer ?? Self.makeTailer(settings, logger: logger)
            t.restore(rows.map(\.position), now: now)
            tailer = t
        }
        lastFlush = now
        // A model restored with its traffic clock goes on from it once the sources have been
        // quiet for a bucket, counting from the start: otherwise a daemon restarted on a source
        // that stays quiet never closed its open alerts, and a fleet agent held the fleet's
        // watermark at its old clock while its heartbeats kept it live.
        if lastDataAt == nil, analyzer.model.hasTraffic {
            lastDataAt = now
            clockAtData = analyzer.model.clock
        }
    }

    /// A reading thread for the files, resuming at `positions`; one thread (logged) when the
    /// system will not give another.
    private func startReader(from positions: [TailPosition], now: Double) {
        let tailer = Self.makeTailer(settings, logger: logger)
        tailer.restore(positions, now: now)
        passEnd = TailProgress(positions: tailer.positions(), report: tailCounters, fileCount: tailer.fileCount,
                               unreadBytes: tailer.unreadBytes(), bytesRead: 0)
        let settings = settings
        do {
            reader = try TailReader.start(
                tailer: tailer, resolver: analyzer.resolver.independentCopy(), report: tailCounters, decoders: decoders,
                makeDecoder: { Self.decoder(for: $0, settings) }, waitForChange: waitForChange,
                encodesFleetBlocks: settings.fleet != nil)
        } catch {
            logger.warning("cannot start the reading thread; reading on the pipeline's", metadata: ["error": "\(error)"])
            passEnd = nil
            self.tailer = tailer
        }
    }

    /// A `TailReader` reads the files: when nothing is new, the pipeline waits for its batches,
    /// not for the files.
    var readsOnAnotherThread: Bool { reader != nil }

    /// Blocks until the reading thread hands over a batch, at most `micros` (false at once
    /// without a reading thread).
    func waitForBatch(micros: Int) -> Bool { reader?.waitForBatch(micros: micros) ?? false }

    /// Stops the reading thread (if any) once everything it read is accounted; the pipeline is
    /// then at a pass end, ready for a flush. `start` begins reading again.
    func stopReading() {
        guard let r = reader else { return }
        reader = nil
        let taken = r.finish(into: &analyzer, atNewTime: rollupBoundary)
        took(taken)
        decoders = r.decoders
    }

    /// Cuts the rollups' bucket and minute before an exchange of a later one is accounted.
    private var rollupBoundary: (Int64, inout TrafficAnalyzer) -> Void {
        { [unowned self] time, analyzer in rollups.willRecord(time: time, analyzer: &analyzer, into: &pendingRollups) }
    }

    /// Notes what the reading thread's batches brought.
    private func took(_ taken: (exchanges: Int, bytes: Int, passEnd: TailProgress?)) {
        if let p = taken.passEnd {
            passEnd = p
            tailCounters = p.report
        }
    }

    /// Alerts a previous run left open: this model did not see them start and would never close
    /// them, so they end at the last traffic minute stored. An incident still going on is
    /// reported again, as a new alert, when the (warm) model sees it.
    private func closeAlertsLeftOpen() throws(StoreError) {
        var filter = AlertFilter()
        filter.openOnly = true
        let open = try store.alerts(filter)
        guard !open.isEmpty, let minute = try store.newestMinute() else { return }
        let end = CivilTime.rfc3339((minute + 1) * 60_000_000)
        var batch = StoreBatch()
        batch.alerts = open.map { alert in
            var a = alert
            a.end = max(end, a.start)
            a.reason += " (Closed when the daemon restarted; if it is still going on it is reported again.)"
            return a
        }
        // A silenced alert's close is as quiet as the rest of its life.
        let events = batch.alerts.filter { !$0.silenced }.map { AlertEvent(kind: .closed, alert: $0) }
        attachDeliveries(&batch, events: events, now: SystemClock.wallMicros())
        let summary = try store.commit(batch)
        outbox?.committed(summary, deliveries: batch.webhookDeliveries.count)
        logger.info("closed alerts left open by the previous run", metadata: ["alerts": "\(open.count)", "end": "\(end)"])
    }

    static func matches(_ pattern: String, _ path: String) -> Bool {
        pattern == path || fnmatch(pattern, path, 0) == 0
    }

    /// Reads what is available and feeds it through. Returns the bytes read plus the captured
    /// exchanges taken (0 when there was nothing new).
    @discardableResult
    func step(now: Double) -> Int {
        var n: Int
        if let reader {
            let taken = reader.account(into: &analyzer, toPassEnd: false, limit: batchesPerStep, atNewTime: rollupBoundary)
            took(taken)
            n = taken.exchanges + taken.bytes
        } else if let tailer {
            n = tailer.poll(now: now) { file, line, event, number in
                self.handle(file.source, line, event, number)
            }
        } else {
            n = 0
        }
        if !captures.isEmpty { n += takeCaptured() }
        if n > 0 {
            noteData(now: now)
        } else {
            moveIdleClock(now: now)
        }
        return n
    }

    /// Something was accounted: there is something to commit, and the idle clock starts over
    /// from the model's clock as it stands now.
    private func noteData(now: Double) {
        dirty = true
        if oldestUncommitted == nil { oldestUncommitted = now }
        lastDataAt = now
        clockAtData = analyzer.model.clock
    }

    /// SPEC §8: a quiet source closes its buckets after a wall-clock grace, so alerts close and
    /// hot spots cool down on an idle server instead of waiting for the next line.
    private func moveIdleClock(now: Double) {
        guard let since = lastDataAt else { return }
        let idle = now - since
        guard idle >= settings.parameters.bucketSeconds else { return }
        if analyzer.advanceClock(to: clockAtData + Int64(idle * 1e6)) { dirty = true }
    }

    private func handle(_ source: String, _ line: UnsafeRawBufferPointer, _ event: FollowedFile.LineEvent, _ number: Int64) {
        if decoder == nil || source != decoderSource { switchDecoder(to: source) }
        if decoder!.decode(line, event, number: Int(number), into: &exchange, report: &tailCounters) {
            rollups.willRecord(time: exchange.time, analyzer: &analyzer, into: &pendingRollups)
            analyzer.record(exchange)
        }
    }

    /// Feeds the batches the capture threads handed over, in the order each thread made them.
    private func takeCaptured() -> Int {
        var n = 0
        for capture in captures {
            var batches = capture.take()
            for batch in batches {
                batch.forEach { x in
                    capturedExchanges &+= 1
                    rollups.willRecord(time: x.time, analyzer: &analyzer, into: &pendingRollups)
                    analyzer.record(x)
                }
                n += batch.count
            }
            capture.recycle(&batches)
        }
        return n
    }

    private func switchDecoder(to source: String) {
        if let d = decoder { decoders[decoderSource] = d }
        if let d = decoders[source] {
            decoder = d
        } else {
            decoder = Self.decoder(for: source, settings)
        }
        decoderSource = source
    }

    /// A new line decoder for a followed file: the format of the first configured source it
    /// matches.
    static func decoder(for source: String, _ settings: DaemonSettings) -> LineDecoder {
        let format = settings.sources.first { matches($0.pattern, source) }?.format ?? .auto
        return LineDecoder(format: format, maxLineLength: settings.maxLineLength)
    }

    /// Flushes when there is something to write and the interval has passed: `flushInterval`,
    /// or once a second while the reading thread is catching up (more than `catchingUpBytes`
    /// written beyond its last pass). A commit stores the model's snapshot with the checkpoints,
    /// which costs the same however few lines it covers; behind a backlog a line waits for the
    /// backlog anyway, and the time goes to reading it instead.
    func flushIfDue(now: Double) throws(StoreError) {
        try collectCommit(now: now, waiting: false)
        if silences.refreshIfDue(store: store, now: now, logger: logger) { dirty = true }
        var interval = settings.flushInterval
        if let p = passEnd, reader != nil, p.unreadBytes > Self.catchingUpBytes { interval = max(interval, 1) }
        guard dirty, now - lastFlush >= interval else { return }
        try beginFlush(now: now)
    }

    static let catchingUpBytes: UInt64 = 4 << 20

    /// Commits everything produced since the last flush with the matching checkpoints, and
    /// waits until it is committed (at a stop, a reload, in tests).
    func flush(now: Double) throws(StoreError) {
        try beginFlush(now: now)
        try collectCommit(now: now, waiting: true)
    }

    /// Hands everything produced since the last flush, with the matching checkpoints, to a
    /// commit; the pipeline goes on accounting while it runs (`collectCommit` finishes it).
    private func beginFlush(now: Double) throws(StoreError) {
        // One commit in flight at most: this batch's silences and outbox follow the last one's.
        try collectCommit(now: now, waiting: true)
        if let reader {
            // Checkpoints exist only at a pass's end: account the rest of a pass begun.
            let taken = reader.account(into: &analyzer, toPassEnd: true, limit: batchesPerStep, atNewTime: rollupBoundary)
            took(taken)
            // What a flush accounts is data like any step's: the idle clock runs from it. (It
            // did not: after a large append read mostly here, the clock stood still until the
            // wall clock had covered the whole append's traffic time, and a fleet agent's
            // watermark with it.)
            if taken.exchanges > 0 { noteData(now: now) }
        }
        var batch = StoreBatch()
        if let m = rollups.minute {
            batch.rollups = pendingRollups + rollups.cut(m, analyzer: &analyzer)
            batch.buckets = rollups.takeBuckets(analyzer: &analyzer)
            batch.routeAliases = rollups.takeAliases()
            if now - lastHotspots >= 5 {
                batch.hotspots = analyzer.hotspots(top: settings.hotspotCount)
                batch.hotspotMinute = m
                lastHotspots = now
            }
        }
        let changes = analyzer.takeAlertChanges()
        countOpened(changes)
        let (alerts, unsilenced) = try decideSilences(changes.alerts)
        batch.alerts = alerts
        batch.events = changes.transitions
        let wallClock = SystemClock.wallMicros()
        let updated = CivilTime.rfc3339(wallClock)
        let positions = passEnd?.positions ?? tailer?.positions() ?? [:]
        batch.checkpoints = positions.mapValues { $0.map { SourceCheckpoint($0, updated: updated) } }
        // The model as of exactly these checkpoints: a kill -9 restarts as warm as a SIGTERM.
        let state = analyzer.snapshot(lastSize: lastSnapshotSize)
        lastSnapshotSize = state.count
        batch.modelState = state
        // A fleet agent's exchanges since the last commit, into the outbox with these
        // checkpoints: shipped exactly once whatever happens to the process (SPEC §7).
        // An agent that has seen no traffic yet says so (.min holds no one up): its model's
        // clock of 0 held the fleet's watermark at 1970 for as long as it kept quiet.
        let clock = analyzer.model.hasTraffic ? analyzer.model.clock : .min
        batch.fleetSummary = analyzer.fleetTap?.take(clock: clock)
        // The next summary must start with a block that starts a scope of its own.
        if batch.fleetSummary != nil { reader?.requestFleetScope() }
        var events: [AlertEvent] = []
        if outbox != nil, !changes.transitions.isEmpty || !unsilenced.isEmpty {
            var byID: [String: Alert] = [:]
            for a in alerts { byID[a.id] = a }
            // Its silence ended while it is still open: the receivers hear it opened, under the
            // event id it had (one that heard it before the silence can tell), before anything newer.
            events = unsilenced.map {
                AlertEvent(kind: .opened, alert: $0, eventID: AlertTransition(kind: .opened, alertID: $0.id, time: 0, sequence: 0).eventID)
            }
            // A silenced alert's events are stored (its life is kept) but owed to no receiver.
            events += changes.transitions.compactMap { t in
                byID[t.alertID].flatMap { $0.silenced ? nil : AlertEvent(kind: t.kind, alert: $0, eventID: t.eventID) }
            }
        }
        attachDeliveries(&batch, events: events, now: wallClock)
        let owed = Committing(alerts: alerts, wallClock: wallClock, oldest: oldestUncommitted)
        pendingRollups.removeAll(keepingCapacity: true)
        dirty = false
        lastFlush = now
        oldestUncommitted = nil
        saveLearnedStateIfDue(now: now, force: false)
        if let committer {
            committing = owed
            committer.submit(batch)
        } else {
            let started = SystemClock.monotonicSeconds()
            let result = Result<CommitSummary, StoreError> { () throws(StoreError) in try store.commit(batch) }
            try committed(StoreCommitter.Outcome(batch: batch, result: result, seconds: SystemClock.monotonicSeconds() - started), owed, now: now)
        }
    }

    /// Finishes the commit in flight if it is done (or, `waiting`, once it is); throws its error.
    func collectCommit(now: Double, waiting: Bool) throws(StoreError) {
        guard let committer, let owed = committing,
              let outcome = waiting ? committer.wait() : committer.poll() else { return }
        committing = nil
        try committed(outcome, owed, now: now)
    }

    /// What follows a commit: the webhook sender is told, the silences learn what is stored,
    /// the status shows it. A failed commit leaves its lines uncommitted (the daemon stops; the
    /// last good checkpoints resume the next run).
    private func committed(_ done: StoreCommitter.Outcome, _ owed: Committing, now: Double) throws(StoreError) {
        var done = done
        let summary: CommitSummary
        switch done.result {
        case .success(let s):
            summary = s
        case .failure(let error):
            oldestUncommitted = [owed.oldest, oldestUncommitted].compactMap { $0 }.min()
            throw error
        }
        outbox?.committed(summary, deliveries: done.batch.webhookDeliveries.count)
        logger.debug("store commit", metadata: [
            "rollups": "\(done.batch.rollups.count)", "buckets": "\(done.batch.buckets.count)",
            "model_bytes": "\(done.batch.modelState?.count ?? 0)", "seconds": "\(done.seconds)"])
        if var stored = done.batch.fleetSummary?.bytes {
            fleetBacklog?.summaryCommitted()
            // The summary's bytes are in the outbox's file: its buffer takes the next one.
            done.batch.fleetSummary = nil
            analyzer.fleetTap?.recycle(&stored)
        }
        for a in owed.alerts { silences.committed(a) }
        publishStatus(wallClockMicros: owed.wallClock, now: now)
        if now - lastRetention >= 3600 {
            lastRetention = now
            let removed = try store.applyRetention(days: settings.retentionDays)
            if removed > 0 { logger.info("retention applied", metadata: ["rows": "\(removed)", "days": "\(settings.retentionDays)"]) }
        }
    }

    /// The alerts to commit with their `silenced` flag decided against the active silences; when
    /// the silences changed, also the stored open alerts whose flag moves. Returns besides the
    /// open alerts whose silence ended (they were silenced, are not now, and have no `opened`
    /// event in this flush).
    private func decideSilences(_ changed: [Alert]) throws(StoreError) -> (alerts: [Alert], unsilenced: [Alert]) {
        var alerts = changed
        if silences.takeChange() {
            var open = AlertFilter()
            open.openOnly = true
            let fresh = Set(changed.map(\.id))
            for var a in try store.alerts(open) where !fresh.contains(a.id) {
                let covered = silences.covers(a)
                guard covered != a.silenced || covered != silences.wasSilenced(a.id) else { continue }
                a.silenced = covered
                alerts.append(a)
            }
        }
        var unsilenced: [Alert] = []
        for i in alerts.indices {
            alerts[i].silenced = silences.covers(alerts[i])
            if !alerts[i].silenced, alerts[i].end == nil, silences.wasSilenced(alerts[i].id) { unsilenced.append(alerts[i]) }
        }
        return (alerts, unsilenced)
    }

    /// Puts the webhook outbox rows of `events` into `batch`, to be committed in the same
    /// transaction (SPEC §8): the events are owed to the receivers exactly when the alert change
    /// is stored, so a crash can neither lose one nor announce an alert the store lacks.
    private func attachDeliveries(_ batch: inout StoreBatch, events: [AlertEvent], now: Int64) {
        guard let outbox, !events.isEmpty else { return }
        batch.webhookDeliveries = outbox.deliveries(for: events, now: now)
        batch.webhookCapacity = outbox.capacity
    }

    /// Alerts opened in this flush, by kind and the severity they have when first stored.
    private func countOpened(_ changes: (alerts: [Alert], transitions: [AlertTransition])) {
        for t in changes.transitions where t.kind == .opened {
            guard let a = changes.alerts.first(where: { $0.id == t.alertID }) else { continue }
            alertsOpened[AlertLabel(a), default: 0] &+= 1
        }
    }

    /// The open alerts `/metrics` and `/healthz` count: silenced ones are not open as far as anyone
    /// watching is concerned (SPEC §6). One place, so the total and the per-label series agree.
    private func shownOpenAlerts() -> [Alert] {
        analyzer.openAlerts().filter { !silences.wasSilenced($0.id) }
    }

    /// What `/metrics` and `/healthz` show; lag is 0 right after a commit and grows while the
    /// pipeline reads (see `publishLag(now:)`). `wallClockMicros` is the commit's time, if any.
    private func publishStatus(wallClockMicros: Int64?, now: Double) {
        var p = PipelineStatus()
        let open = shownOpenAlerts()
        for a in open { p.openAlertsByLabel[AlertLabel(a), default: 0] += 1 }
        p.openAlerts = open.count
        p.alertsOpened = alertsOpened
        // Summing every route costs ~30 ms at 10,000 routes in a debug build (less in release):
        // once a second is plenty for a scrape every 15 s or more, and keeps it off most flushes.
        if now - lastRouteTotals >= 1 {
            lastRouteTotals = now
            statusTotals = analyzer.statusTotals()
            p.routeWrites = analyzer.routeWriteTotals()
        }
        p.statuses = statusTotals
        p.conflictStatuses = settings.parameters.conflictStatuses
        let counters = counters
        p.lines = counters.lines
        p.exchanges = counters.exchanges
        p.malformed = counters.malformed
        (p.writes, p.conflicts) = (analyzer.writes, analyzer.conflicts)
        p.unreadBytes = passEnd?.unreadBytes ?? tailer?.unreadBytes() ?? 0
        p.followedFiles = passEnd?.fileCount ?? tailer?.fileCount ?? 0
        p.packets = CapturePacketCounts(captures.map(\.report))
        p.committedAtMicros = wallClockMicros
        p.lagSeconds = lag(now: now)
        status.publish(p)
    }

    /// Between flushes: how long the oldest uncommitted line has waited; and, at most once a
    /// second, the rest of the status, so files found, rotated or grown without a flush (an
    /// idle daemon, a restart with nothing new) show too.
    func publishLag(now: Double) {
        if now - lastIdlePublish >= 1 {
            lastIdlePublish = now
            publishStatus(wallClockMicros: nil, now: now)
        }
        status.publishLag(lag(now: now))
    }

    /// How long the oldest line not yet committed has waited (one in a commit in flight too).
    private func lag(now: Double) -> Double {
        [committing?.oldest, oldestUncommitted].compactMap { $0 }.min().map { now - $0 } ?? 0
    }

    /// Writes the learned baselines every minute and at shutdown; a failure is logged, not fatal
    /// (the next start is then colder, nothing is lost from the store).
    func saveLearnedStateIfDue(now: Double, force: Bool) {
        guard force || now - lastLearnedState >= 60 else { return }
        lastLearnedState = now
        do {
            try learnedState.save(settings.parameters, baselines: analyzer.learnedBaselines())
        } catch {
            logger.warning("cannot save learned state", metadata: ["error": "\(error)"])
        }
    }

    /// SIGHUP: closes every file and follows again from the checkpoints just written.
    func reopen(now: Double) throws(StoreError) {
        stopReading()
        try flush(now: now)
        tailer?.closeAll()
        passEnd = nil
        try start(now: now)
    }
}
