import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import Synchronization

/// The glue between the live pipeline and the query server: takes the pipeline's reports and
/// writes them into the `LiveStatus` the server reads. It outlives the pipelines a SIGHUP
/// replaces, so the routes that got a `/metrics` label keep it across reloads (a label that came
/// and went would read as a counter reset).
final class StatusPublisher: Sendable {
    let status: LiveStatus
    private let routeLabels: Mutex<RouteLabelSet>
    private let routes: Mutex<[LiveStatus.RouteTotals]>
    /// A fleet agent's shipper and aggregator, read at every report; nil outside a fleet.
    let fleet: FleetAgentStatus?

    init(_ status: LiveStatus = LiveStatus(), routeLabels: RouteLabelSet = RouteLabelSet(), fleet: FleetAgentStatus? = nil) {
        self.status = status
        self.routeLabels = Mutex(routeLabels)
        self.fleet = fleet
        routes = Mutex([])
    }

    /// One report after a commit or an idle tick (with its lag: lines read since, or in a commit
    /// still running, are not committed yet).
    func publish(_ p: PipelineStatus) {
        let bounded: [LiveStatus.RouteTotals]
        if let writes = p.routeWrites {
            bounded = routeLabels.withLock { $0.bounded(writes) }
            routes.withLock { $0 = bounded }
        } else {
            bounded = routes.withLock { $0 }
        }
        status.update {
            Self.write(p.packets, into: &$0)
            $0.openAlertsByLabel = p.openAlertsByLabel
            $0.alertsOpened = p.alertsOpened
            $0.statuses = p.statuses
            $0.routes = bounded
            $0.conflictStatuses = p.conflictStatuses
            $0.lines = p.lines
            $0.exchanges = p.exchanges
            $0.malformed = p.malformed
            $0.writes = p.writes
            $0.conflicts = p.conflicts
            $0.openAlerts = p.openAlerts
            $0.lagSeconds = p.lagSeconds
            $0.unreadBytes = p.unreadBytes
            $0.followedFiles = p.followedFiles
            if let micros = p.committedAtMicros { $0.lastCommit = Double(micros) / 1e6 }
            if let fleet { $0.fleet = fleet.snapshot }
        }
    }

    /// Between flushes: how long the oldest uncommitted line has waited.
    func publishLag(_ seconds: Double) {
        let fleet = self.fleet?.snapshot
        status.update {
            $0.lagSeconds = seconds
            if let fleet { $0.fleet = fleet }
        }
    }

    /// The live interfaces' packet counters as `/metrics` shows them.
    static func write(_ counts: CapturePacketCounts, into s: inout LiveStatus.Snapshot) {
        s.packets = counts.packets
        s.kernelDrops = counts.kernelDrops
        s.interfaceDrops = counts.interfaceDrops
        s.drops = counts.kernelDrops &+ counts.interfaceDrops
    }
}
