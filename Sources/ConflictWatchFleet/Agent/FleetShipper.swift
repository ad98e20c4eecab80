import ConflictWatchCore
import ConflictWatchStore
import Logging
import ServiceLifecycle
import Synchronization

/// A fleet agent's shipper (SPEC §7): moves the summaries its pipeline committed to the local
/// outbox (with their checkpoints) into PostgreSQL, oldest first, then deletes them locally.
/// Shipping is idempotent (a summary is keyed by the agent, its store's incarnation and its
/// sequence number), so a crash between the two steps doubles nothing. While PostgreSQL is
/// away the outbox grows and the shipper retries; past `maxOutboxBytes` the pipeline stops
/// reading (`backlog.isFull`), so the logs themselves hold what is not yet read and nothing is
/// lost however long the outage.
public struct FleetShipper: Service {
    public let url: FleetDatabaseURL
    public let agent: String
    let store: ConflictStore
    let logger: Logger
    public let backlog: FleetBacklog
    /// How often the outbox is looked at when nothing woke the shipper (also the agent's
    /// heartbeat).
    var interval: Duration = .milliseconds(500)

    public init(url: FleetDatabaseURL, agent: String, store: ConflictStore, backlog: FleetBacklog, logger: Logger) {
        self.url = url
        self.agent = agent
        self.store = store
        self.backlog = backlog
        self.logger = logger
    }

    public func run() async throws {
        let incarnation = try store.fleetIncarnation()
        var logger = logger
        logger[metadataKey: "agent"] = "\(agent)"
        var db: FleetDatabase?
        var failing = false
        var retry = Duration.milliseconds(250)
        var lastContact = ContinuousClock.now - interval
        // Woken by the pipeline's commits with a summary, and every `interval` (the heartbeat).
        try await backlog.wakeups.withTimer(every: interval) { (waiter: inout Wakeups.Waiter) async throws(FleetError) in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do throws(FleetError) {
                    let connected: FleetDatabase
                    if let db { connected = db } else {
                        connected = try await FleetDatabase.connect(url, logger: logger)
                        db = connected
                    }
                    let look = try await shipOnce(connected, incarnation: incarnation,
                                                  heartbeat: ContinuousClock.now - lastContact >= interval)
                    if look.contacted { lastContact = .now }
                    if failing {
                        failing = false
                        logger.notice("fleet database reachable again; shipping the outbox", metadata: ["database": "\(url)"])
                    }
                    retry = .milliseconds(250)
                    if !look.more { await waiter.next() }
                } catch {
                    if error.fatal {
                        if let d = db { await d.close() }
                        throw error
                    }
                    if !failing {
                        failing = true
                        logger.warning("cannot ship to the fleet database; summaries stay in the local outbox and are shipped when it is back",
                                       metadata: ["error": "\(error)"])
                    }
                    if let d = db { await d.close() }
                    db = nil
                    backlog.update(bytes: (try? store.fleetOutboxSize().bytes) ?? 0)
                    try? await Task.sleep(for: retry)
                    retry = min(retry * 2, .seconds(5))
                }
            }
        }
        // A last look, so a clean stop leaves nothing behind that could have gone.
        if let db {
            _ = try? await shipOnce(db, incarnation: incarnation)
            await db.close()
        }
    }

    /// What one look at the outbox did.
    struct Look {
        /// A transaction reached PostgreSQL (which is also the agent's heartbeat).
        var contacted: Bool
        /// The outbox still holds summaries: look again at once.
        var more: Bool
    }

    /// Ships what the outbox holds (a bounded slice) or, when it is empty and `heartbeat`, just
    /// says the agent is alive. A shipment is a heartbeat too: after one, the empty look that
    /// follows it sends nothing (it sent one, two transactions a wake-up: with the leader's look
    /// per notification, about 20 % more CPU in all than polling on a steady trickle).
    func shipOnce(_ db: FleetDatabase, incarnation: String, heartbeat: Bool = true) async throws(FleetError) -> Look {
        let rows: [ConflictStore.FleetOutboxRow]
        do {
            rows = try store.fleetOutbox(limit: 256)
        } catch {
            throw FleetError("cannot read the local outbox: \(error)")
        }
        guard let last = rows.last else {
            backlog.update(bytes: 0)
            guard heartbeat else { return Look(contacted: false, more: false) }
            try await db.ship(agent: agent, incarnation: incarnation, rows: [])
            return Look(contacted: true, more: false)
        }
        try await db.ship(agent: agent, incarnation: incarnation, rows: rows)
        let left: (rows: Int, bytes: Int64)
        do {
            try store.deleteFleetOutbox(through: last.seq)
            left = try store.fleetOutboxSize()
        } catch {
            throw FleetError("cannot trim the local outbox: \(error)")
        }
        backlog.update(bytes: left.bytes)
        backlog.shipped(rows: rows.count, exchanges: rows.reduce(0) { $0 + $1.summary.count })
        return Look(contacted: true, more: left.rows > 0)
    }
}

/// How far a fleet agent's outbox is behind: the pipeline pauses reading when it is full.
public final class FleetBacklog: Sendable {
    public let maxBytes: Int64
    private let bytes = Atomic<Int64>(0)
    private let shippedRows = Atomic<Int>(0)
    private let shippedExchanges = Atomic<Int>(0)

    /// The shipper's: woken when the pipeline has committed a summary to the outbox.
    let wakeups = Wakeups()

    public init(maxBytes: Int64 = 512 << 20) { self.maxBytes = maxBytes }

    /// The pipeline committed a summary to the outbox: the shipper looks now, not at its next
    /// heartbeat.
    public func summaryCommitted() { wakeups.wake() }

    public var isFull: Bool { bytes.load(ordering: .relaxed) >= maxBytes }
    public var pendingBytes: Int64 { bytes.load(ordering: .relaxed) }
    public var shipped: (rows: Int, exchanges: Int) { (shippedRows.load(ordering: .relaxed), shippedExchanges.load(ordering: .relaxed)) }

    func update(bytes n: Int64) { bytes.store(n, ordering: .relaxed) }
    func shipped(rows: Int, exchanges: Int) {
        shippedRows.add(rows, ordering: .relaxed)
        shippedExchanges.add(exchanges, ordering: .relaxed)
    }
}
