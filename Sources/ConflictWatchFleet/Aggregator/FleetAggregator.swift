import ConflictWatchCore
import ConflictWatchStore
import Logging
import NIOCore
import ServiceLifecycle

/// The fleet aggregator (SPEC §7). Every agent runs one; the one holding PostgreSQL's advisory
/// lock does the work: it takes in the live agents' summaries, releases them in traffic-time
/// order up to their common watermark (`FleetMerge`), runs the same analyzer a single daemon
/// runs on them, and commits the fleet's alerts (naming the agents whose traffic they came
/// from), events, route rollups and hot spots together with its own state. When it dies its
/// connection — and with it the lock — goes; another agent's aggregator takes the role within
/// `pollInterval` and resumes from the stored state, so nothing is accounted twice or skipped.
public struct FleetAggregator: Service {
    public struct Settings: Sendable {
        public var url: FleetDatabaseURL
        /// This agent's name (the state says who last held the role).
        public var agent: String
        public var parameters: ModelParameters
        public var hotspotCount = 20
        /// An agent not heard from for this long no longer holds the watermark back (and is
        /// said to be dropped in the log); it counts again when it comes back.
        public var agentTimeout: Double = 30
        /// How often a follower tries for the role, and a leader looks for new summaries when
        /// no agent's shipping woke it.
        public var pollInterval: Duration = .milliseconds(500)
        /// How long accounted summaries, ended silences and given-up webhook deliveries are
        /// kept (a daemon sets its store's retention).
        public var keepSummariesDays = 1
        /// Where the fleet's alert events are sent (the webhooks of this agent's configuration,
        /// which every agent of a fleet shares): rows owed to them are committed with the
        /// alerts, and `wakeWebhookSender` is called after a commit that owed any.
        public var webhooks: [WebhookTarget] = []
        public var wakeWebhookSender: (@Sendable () -> Void)?
        public init(url: FleetDatabaseURL, agent: String, parameters: ModelParameters) {
            self.url = url
            self.agent = agent
            self.parameters = parameters
        }
    }

    let settings: Settings
    let logger: Logger
    public let status: FleetAggregatorStatus

    /// The least time between two looks the agents' notifications start: eight agents that
    /// commit four times a second each notify up to 32 times a second. With a look for each,
    /// the leading agent's process used 2.07–2.18 s of CPU over 20 s of a steady 8,000 lines/s
    /// on 8 agents; with this spacing 1.90–2.00 s; polling twice a second 1.44–1.60 s.
    static let lookSpacing = Duration.milliseconds(100)

    public init(settings: Settings, status: FleetAggregatorStatus = FleetAggregatorStatus(), logger: Logger) {
        self.settings = settings
        self.status = status
        var logger = logger
        logger[metadataKey: "agent"] = "\(settings.agent)"
        self.logger = logger
    }

    public func run() async throws {
        var retry = Duration.milliseconds(250)
        var reported = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do throws(FleetError) {
                let db = try await FleetDatabase.connect(settings.url, logger: logger)
                retry = .milliseconds(250)
                reported = false
                defer { status.leading(false) }
                do throws(FleetError) {
                    try await follow(db)
                } catch {
                    await db.close()
                    throw error
                }
                await db.close()
            } catch {
                if error.fatal { throw error }
                if !reported {
                    reported = true
                    logger.warning("fleet aggregator: the fleet database failed; trying again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: retry)
                retry = min(retry * 2, .seconds(5))
            }
        }
    }

    /// Waits for the role, then leads until shutdown or a database failure.
    func follow(_ db: FleetDatabase) async throws(FleetError) {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if try await db.tryTakeAggregatorRole() {
                let reader = try await FleetDatabase.connect(settings.url, logger: logger)
                do throws(FleetError) {
                    try await lead(db, reader: reader)
                } catch {
                    await reader.close()
                    throw error
                }
                await reader.close()
                return
            }
            try? await Task.sleep(for: settings.pollInterval)
        }
    }

    /// Leads until shutdown (then commits what was accounted) or a database failure.
    private func lead(_ db: FleetDatabase, reader: FleetDatabase) async throws(FleetError) {
        var leader = try await FleetLeader(db: db, reader: reader, settings: settings, logger: logger)
        status.leading(true)
        logger.notice("fleet aggregator role taken", metadata: [
            "resumed_from": "\(leader.resumedFrom ?? "nothing (a new fleet)")", "watermark": "\(leader.merge.watermark)"])
        do throws(FleetError) {
            // Woken by the agents' shipping, and every poll interval (a look at agents gone silent).
            let wakeups = Wakeups()
            try await db.wakingOnShippedSummaries(wakeups) { () async throws(FleetError) in
                try await wakeups.withTimer(every: settings.pollInterval) { (waiter: inout Wakeups.Waiter) async throws(FleetError) in
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        let now = SystemClock.monotonicSeconds()
                        let worked = try await leader.step(now: now)
                        status.publish(leader)
                        if !worked {
                            // What it accounted is committed when due, not at whichever look
                            // comes after that.
                            if let due = leader.commitDue(now: now) {
                                wakeups.wake(after: .seconds(max(0, due - SystemClock.monotonicSeconds())))
                            }
                            await waiter.next(spacing: Self.lookSpacing)
                        }
                    }
                }
            }
            await leader.stop()
            // A clean stop commits what was accounted; the role goes with the connection.
            try await leader.commit(now: SystemClock.monotonicSeconds(), force: true)
        } catch {
            await leader.stop()
            throw error
        }
    }
}
