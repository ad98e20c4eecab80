import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Logging
import NIOCore

/// The aggregator while it holds the role: the merge, the analyzer and the rollups, resumed
/// from the stored state and committed back with every result.
struct FleetLeader {
    let db: FleetDatabase
    /// A second connection, for reading summaries: the next look at the fleet's summaries runs
    /// on it while this one's exchanges go through the model, instead of the two taking turns
    /// (the commits keep the first connection, which holds the role's lock).
    let reader: FleetDatabase
    /// The look started after the last step's intake, if that step took anything in.
    private var prefetch: Task<Intake, any Error>?
    let settings: FleetAggregator.Settings
    let logger: Logger
    private(set) var merge: FleetMerge
    private var analyzer: TrafficAnalyzer
    /// The rollups, and the agents through which each route's traffic came: per raw route
    /// index and agent number (`agentNumbers`), the latest traffic time seen through that
    /// agent; .min: never seen. By number, not name: hashing the agent's name for every
    /// exchange was a tenth of the aggregator's time.
    private var books: FleetRelease.Books
    /// How the merged exchanges reach the analyzer and the books.
    private var release: FleetRelease
    /// Who held the role before (from the stored state).
    let resumedFrom: String?
    /// Each agent's number, in the order they were first seen, and the names by number.
    private var agentNumbers: [String: Int] = [:]
    private var agentNames: [String] = []
    private var dropped: Set<String> = []
    /// Live streams that have shipped no traffic yet, and since when this leader has seen them so.
    private var withoutTraffic: [String: Double] = [:]
    private var dirty = false
    private var pacer = FleetCommitPacer()
    private var lastHotspots = -Double.infinity
    /// The size of the last model snapshot: the next one's starting capacity.
    private var lastSnapshotSize = 64 * 1024
    /// When this leader took the role (its first step).
    private var startedAt: Double?
    private(set) var accounted: UInt64 = 0
    private(set) var liveAgents = 0
    private(set) var droppedAgents = 0

    /// Stands in for a summary that could not be read: its sequence number is passed.
    static let nothing: FleetSummaryRecords = {
        var empty = FleetSummaryWriter()
        return try! FleetSummaryRecords(empty.take(clock: .min).bytes)
    }()

    init(db: FleetDatabase, reader: FleetDatabase, settings: FleetAggregator.Settings, logger: Logger) async throws(FleetError) {
        self.db = db
        self.reader = reader
        self.settings = settings
        self.logger = logger
        analyzer = TrafficAnalyzer(parameters: settings.parameters)
        analyzer.keepsClosedAlerts = false
        books = FleetRelease.Books(rollups: RollupTracker(bucketSeconds: settings.parameters.bucketSeconds))
        let state = try await db.aggregatorState()
        resumedFrom = state?.holder
        merge = FleetMerge(positions: state?.positions ?? [:], watermark: state?.watermark ?? .min)
        if let bytes = state?.model {
            do {
                try analyzer.restore(bytes)
            } catch {
                logger.warning("fleet model state not usable; the fleet's model starts cold", metadata: ["error": "\(error)"])
            }
        }
        do {
            release = try FleetRelease(analyzer: analyzer)
        } catch {
            throw FleetError("start the fleet model's accounting thread: \(error)")
        }
    }

    /// What one look at the fleet database brought: the streams, and the summaries after the
    /// positions the look started from (read and checked, or why not).
    struct Intake: Sendable {
        var streams: [FleetDatabase.StreamState] = []
        var summaries: [(stream: String, seq: Int64, records: Result<FleetSummaryRecords, FleetSummaryError>)] = []
    }

    /// Summaries read per stream and look: about a second of an agent's traffic each, so a
    /// backlog goes through in steps the next look can overlap (and one agent's backlog does
    /// not hold the rest up).
    static let summariesPerLook = 1

    /// Reads the streams and what each shipped from `next[stream]` on.
    static func take(from db: FleetDatabase, after next: [String: Int64]) async throws(FleetError) -> Intake {
        var intake = Intake(streams: try await db.streams())
        for s in intake.streams {
            let from = next[s.name] ?? 1
            guard s.shippedSeq >= from else { continue }
            for (seq, payload) in try await db.summaries(agent: s.agent, incarnation: s.incarnation, from: from, limit: Self.summariesPerLook) {
                // Read in place: the summary holds the row's buffer (its storage, which NIO
                // copies before any write while another holds it) instead of a copy of it.
                let records = payload.withUnsafeReadableBytesWithStorageManagement { bytes, storage in
                    Result { () throws(FleetSummaryError) in
                        try FleetSummaryRecords(borrowing: bytes, owner: storage.takeUnretainedValue())
                    }
                }
                intake.summaries.append((s.name, seq, records))
            }
        }
        return intake
    }

    /// Where the next look starts: each stream's first summary not taken in.
    private var nextSeqs: [String: Int64] {
        var next: [String: Int64] = [:]
        for name in merge.streamNames { next[name] = merge.nextSeq(of: name) }
        return next
    }

    /// The look in flight, or a new one.
    private mutating func intake() async throws(FleetError) -> Intake {
        guard let pending = prefetch else { return try await Self.take(from: reader, after: nextSeqs) }
        prefetch = nil
        do {
            return try await pending.value
        } catch let error as FleetError {
            throw error
        } catch {
            throw FleetError("read summaries: \(error)")
        }
    }

    /// Ends a look still in flight (before the connections close).
    mutating func stop() async {
        prefetch?.cancel()
        _ = try? await prefetch?.value
        prefetch = nil
    }

    /// One round: new summaries in, what the watermark allows through the model, a commit when
    /// due. True when it took in or released anything.
    mutating func step(now: Double) async throws(FleetError) -> Bool {
        pacer.stepStarts(at: now)
        let intake = try await intake()
        var live: Set<String> = []
        var worked = false
        // A new leader drops no one before it has led for the timeout itself: after a database
        // outage every agent's last word is old, and they are all reconnecting, not gone.
        let startedAt = self.startedAt ?? now
        self.startedAt = startedAt
        let mayDrop = now - startedAt >= settings.agentTimeout
        // An agent that has had no traffic yet has no clock to hold the watermark with. Just
        // started, it is about to read its share, and everyone waits for it, for the timeout at
        // most: a server that gets no traffic at all (drained from the balancer, a standby) must
        // not stop the fleet. It holds the watermark again from its first exchange.
        var waitingForFirstTraffic = false
        for s in intake.streams {
            if s.silentSeconds <= settings.agentTimeout || !mayDrop {
                live.insert(s.name)
                if s.clock == nil || s.clock == .min {
                    let since = withoutTraffic[s.name] ?? now
                    withoutTraffic[s.name] = since
                    if now - since < settings.agentTimeout { waitingForFirstTraffic = true }
                } else {
                    withoutTraffic.removeValue(forKey: s.name)
                }
                if dropped.remove(s.name) != nil {
                    logger.notice("fleet agent back; it holds the watermark again", metadata: ["stream": "\(s.name)"])
                }
            } else if s.shippedSeq >= merge.nextSeq(of: s.name) || !dropped.contains(s.name) {
                if dropped.insert(s.name).inserted, s.clock != nil {
                    logger.warning("fleet agent silent; dropped from the watermark", metadata: [
                        "stream": "\(s.name)", "silent_seconds": "\(Int(s.silentSeconds))", "timeout_seconds": "\(Int(settings.agentTimeout))"])
                }
            }
        }
        for (stream, seq, records) in intake.summaries {
            switch records {
            case .success(let r):
                merge.add(stream: stream, seq: seq, records: r)
            case .failure(let error):
                // A summary this build cannot read is skipped whole, and said so: the rest of
                // the fleet goes on.
                logger.error("fleet summary unreadable; skipped", metadata: ["stream": "\(stream)", "seq": "\(seq)", "error": "\(error)"])
                merge.add(stream: stream, seq: seq, records: Self.nothing)
            }
            worked = true
        }
        // A busy fleet: the next look starts now and reads while the model works. An idle one
        // looks again after the poll interval, not with what a look now would find.
        if worked {
            let reader = self.reader, next = nextSeqs
            prefetch = Task { try await Self.take(from: reader, after: next) }
        }
        liveAgents = live.count
        droppedAgents = dropped.count
        let watermark = waitingForFirstTraffic ? merge.watermark : merge.watermark(live: live)
        // The merge numbers its streams by name order, which a new stream changes: map them to
        // the agents' stable numbers for this release.
        let numbers = merge.streamNames.map { name -> Int in
            let agent = String(FleetStreamName.agent(of: name))
            if let n = agentNumbers[agent] { return n }
            agentNumbers[agent] = agentNames.count
            agentNames.append(agent)
            return agentNames.count - 1
        }
        let released = release.release(&merge, upTo: watermark, agents: numbers, agentCount: agentNames.count,
                                       into: &analyzer, books: &books)
        if watermark != .min, analyzer.advanceClock(to: watermark) { dirty = true }
        if released > 0 {
            accounted &+= UInt64(released)
            dirty = true
            worked = true
        }
        if worked { pacer.stepWorked(startedAt: now) }
        try await commit(now: now, force: false, caughtUp: intake.summaries.isEmpty)
        return worked
    }

    /// When a commit of what was accounted comes due, if something waits for one.
    func commitDue(now: Double) -> Double? {
        dirty ? pacer.nextDue(now: now) : nil
    }

    /// Commits the results and the state as of them when there is something new: at once when
    /// `force`, else when the pacer says so (`caughtUp`: the step's look found nothing new).
    mutating func commit(now: Double, force: Bool, caughtUp: Bool = false) async throws(FleetError) {
        guard dirty, force || pacer.isDue(now: now, caughtUp: caughtUp) else { return }
        release.settle(&analyzer)
        var batch = FleetDatabase.AggregatorCommit(state: .init(
            model: nil, positions: merge.positions, watermark: merge.watermark, holder: settings.agent))
        if let m = books.rollups.minute {
            batch.rollups = books.pending + books.rollups.cut(m, analyzer: &analyzer)
            batch.buckets = books.rollups.takeBuckets(analyzer: &analyzer)
            batch.routeAliases = books.rollups.takeAliases()
            if force || now - lastHotspots >= 5 {
                batch.hotspots = analyzer.hotspots(top: settings.hotspotCount)
                batch.hotspotMinute = m
                lastHotspots = now
            }
        }
        let changes = analyzer.takeAlertChanges()
        batch.alerts = changes.alerts.map { ($0, agents(of: $0)) }
        batch.events = changes.transitions
        let state = analyzer.snapshot(lastSize: lastSnapshotSize)
        lastSnapshotSize = state.count
        batch.state.model = state
        batch.webhooks = settings.webhooks
        let webhooks = try await db.commit(batch)
        if webhooks.owed > 0 { settings.wakeWebhookSender?() }
        if webhooks.dropped > 0 {
            logger.warning("fleet webhook outbox full; oldest events dropped", metadata: [
                "dropped": "\(webhooks.dropped)", "capacity": "\(batch.webhookCapacity)"])
        }
        books.pending.removeAll(keepingCapacity: true)
        dirty = false
        pacer.committed(at: now)
        if !changes.transitions.isEmpty {
            for t in changes.transitions {
                logger.info("fleet alert \(t.kind.rawValue)", metadata: ["alert": "\(t.alertID)"])
            }
        }
        if batch.alerts.isEmpty == false || Int(now) % 600 == 0 {
            _ = try? await db.pruneSummaries(positions: merge.positions, keepDays: settings.keepSummariesDays)
        }
    }

    /// The agents whose traffic on the alert's route reached the model since the alert began.
    private mutating func agents(of alert: Alert) -> [String] {
        let names = analyzer.reportedRouteNames()
        let since = CivilTime.parseRFC3339(alert.start).map { $0 - Int64(settings.parameters.bucketSeconds * 1e6) } ?? .min
        var out: Set<String> = []
        for i in 0..<min(books.routeAgents.routes, analyzer.routes.count) {
            let raw = analyzer.routes.route(at: i)
            guard (names[raw] ?? raw) == alert.route else { continue }
            for (agent, last) in books.routeAgents.times(ofRoute: i).enumerated() where last != .min && last >= since {
                out.insert(agentNames[agent])
            }
        }
        return out.sorted()
    }
}
