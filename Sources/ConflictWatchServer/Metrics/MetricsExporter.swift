import ConflictWatchCore
import Prometheus
import Synchronization

/// `/metrics` (SPEC §9): the daemon's `LiveStatus` in Prometheus text format, read at scrape
/// time. The registry's counters only go up, so each scrape sets them to the snapshot's total
/// (reset, then increment by it) under one lock that also covers the rendering: no scrape can
/// see a counter between the two steps, and a restarted daemon's counters restart with it as
/// Prometheus expects of a counter reset.
final class MetricsExporter: Sendable {
    private struct Reading<Metric: Sendable, Source, Value>: Sendable {
        let metric: Metric
        let value: @Sendable (Source) -> Value
    }

    private let registry: PrometheusCollectorRegistry
    private let counters: [Reading<Counter, LiveStatus.Snapshot, UInt64>]
    private let gauges: [Reading<Gauge, LiveStatus.Snapshot, Double>]
    private let status: LiveStatus?
    /// The server's own connection counts, apart from the daemon's status: they exist
    /// whether or not a daemon feeds the server.
    private let connectionCounters: [Reading<Counter, ConnectionGate.Counts, UInt64>]
    private let connectionGauges: [Reading<Gauge, ConnectionGate.Counts, Double>]
    private let connections: ConnectionGate?
    private let scrape = Mutex<Void>(())

    static let namespace = "conflictwatch"

    init(status: LiveStatus?, connections: ConnectionGate? = nil) {
        self.status = status
        self.connections = connections
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        // Names are namespace_name_unit, e.g. conflictwatch_lines_total.
        func counter(_ name: String, _ help: String, _ value: @escaping @Sendable (LiveStatus.Snapshot) -> UInt64) -> Reading<Counter, LiveStatus.Snapshot, UInt64> {
            let descriptor = MetricNameDescriptor(namespace: Self.namespace, metricName: name, unitName: "total", helpText: help)
            return Reading(metric: registry.makeCounter(descriptor: descriptor), value: value)
        }
        func gauge(_ name: String, unit: String = "", _ help: String, _ value: @escaping @Sendable (LiveStatus.Snapshot) -> Double) -> Reading<Gauge, LiveStatus.Snapshot, Double> {
            let descriptor = MetricNameDescriptor(namespace: Self.namespace, metricName: name, unitName: unit, helpText: help)
            return Reading(metric: registry.makeGauge(descriptor: descriptor), value: value)
        }
        counters = [
            counter("lines", "Lines read from every source, malformed and blank ones included.") { $0.lines },
            counter("exchanges", "HTTP exchanges reconstructed from the input.") { $0.exchanges },
            counter("malformed", "Lines or packets that did not parse.") { $0.malformed },
            counter("writes", "Write requests (PUT, PATCH, POST, DELETE).") { $0.writes },
            counter("conflicts", "Responses with a conflict status (409, 412 and 423 unless the model file says otherwise).") { $0.conflicts },
            counter("drops", "Packets the kernel or interface dropped (capture sources); the sum of conflictwatch_packets_dropped_total, kept for existing dashboards.") { $0.drops },
            counter("packets", "Packets captured by the live interfaces (0 without capture sources).") { $0.packets },
            counter("webhooks_sent", "Alert webhooks delivered.") { $0.webhooksSent },
            counter("webhooks_failed", "Alert webhook deliveries given up (retries exhausted, or a 4xx answer).") { $0.webhooksFailed },
            counter("webhooks_dropped", "Alert webhook deliveries dropped unsent because the receiver's outbox was full.") { $0.webhooksDropped },
        ]
        gauges = [
            gauge("lag", unit: "seconds", "Seconds the oldest read but uncommitted line has waited; 0 when caught up.") { $0.lagSeconds },
            gauge("unread", unit: "bytes", "Bytes appended to followed files and not read yet.") { Double($0.unreadBytes) },
            gauge("followed_files", "Files being followed.") { Double($0.followedFiles) },
            gauge("webhooks_pending", "Alert webhook deliveries in the store's outbox waiting to be sent or retried.") { Double($0.webhooksPending) },
            gauge("webhooks_given_up", "Given-up alert webhook deliveries kept in the store (conflictwatch webhooks failed).") { Double($0.webhooksGivenUp) },
            gauge("last_commit_timestamp", unit: "seconds", "Unix time of the last commit to the store; 0 before the first.") { $0.lastCommit ?? 0 },
            gauge("start_time", unit: "seconds", "Unix time the daemon started.") { $0.started },
        ]
        func connectionCounter(_ name: String, _ help: String, _ value: @escaping @Sendable (ConnectionGate.Counts) -> UInt64)
            -> Reading<Counter, ConnectionGate.Counts, UInt64> {
            let descriptor = MetricNameDescriptor(namespace: Self.namespace, metricName: name, unitName: "total", helpText: help)
            return Reading(metric: registry.makeCounter(descriptor: descriptor), value: value)
        }
        connectionCounters = [
            connectionCounter("api_connections_refused", "API connections closed at once because api_max_connections were open.") { $0.refused },
            connectionCounter("api_connections_timed_out", "API connections closed by the idle or request-head timeout.") { $0.timedOut },
        ]
        let open = MetricNameDescriptor(namespace: Self.namespace, metricName: "api_connections", unitName: "",
                                        helpText: "API connections open now (at most api_max_connections).")
        connectionGauges = [Reading(metric: registry.makeGauge(descriptor: open), value: { Double($0.open) })]
    }

    /// The exposition text; without a live status (no daemon behind the server) every value is 0.
    func render() -> String {
        let snapshot = status?.snapshot ?? LiveStatus.Snapshot()
        return scrape.withLock { _ in
            for c in counters {
                c.metric.reset()
                // The registry counts in Int64; clamp rather than trap on an absurd total.
                c.metric.increment(by: Int64(clamping: c.value(snapshot)))
            }
            for g in gauges { g.metric.set(g.value(snapshot)) }
            let counts = connections?.counts ?? ConnectionGate.Counts(open: 0, refused: 0, timedOut: 0)
            for c in connectionCounters {
                c.metric.reset()
                c.metric.increment(by: Int64(clamping: c.value(counts)))
            }
            for g in connectionGauges { g.metric.set(g.value(counts)) }
            return registry.emitToString() + Self.labelled(snapshot)
        }
    }

    /// The labelled series (SPEC §9). Their label sets change with the traffic (a status seen
    /// for the first time, a route that got its label), so they come from a registry made for
    /// this scrape: a series whose label went away cannot linger with its last value.
    static func labelled(_ s: LiveStatus.Snapshot) -> String {
        let registry = PrometheusCollectorRegistry()
        func describe(_ name: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: namespace, metricName: name, unitName: unit, helpText: help)
        }
        func count(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)], _ value: UInt64) {
            registry.makeCounter(descriptor: descriptor, labels: labels).increment(by: Int64(clamping: value))
        }
        func set(_ descriptor: MetricNameDescriptor, _ labels: [(String, String)], _ value: Double) {
            registry.makeGauge(descriptor: descriptor, labels: labels).set(value)
        }

        let responses = describe("responses", unit: "total",
                                 "Responses by status: the exact code for the codes listed in docs/metrics.md and the model's conflict statuses, the class (2xx...) otherwise, none for no response.")
        for (label, n) in StatusLabel.fold(s.statuses, conflictStatuses: s.conflictStatuses).sorted(by: { $0.key < $1.key }) {
            count(responses, [("status", label)], n)
        }

        // Every kind and severity, zeros included, so sums and ratios never meet an absent series.
        let opened = describe("alerts_opened", unit: "total", "Alerts opened since the daemon started, by kind and the severity they opened with.")
        let open = describe("open_alerts", "Alerts open now and not silenced, by kind and current severity; sum() is the total.")
        for label in LiveStatus.AlertLabel.all {
            let labels = [("kind", label.kind.rawValue), ("severity", label.severity.rawValue)]
            count(opened, labels, s.alertsOpened[label] ?? 0)
            set(open, labels, Double(s.openAlertsByLabel[label] ?? 0))
        }

        let routeConflicts = describe("route_conflicts", unit: "total",
                                      "Conflicts per route, for at most 20 routes (the most conflicts when they were chosen); the rest under route=\"other\".")
        let routeWrites = describe("route_writes", unit: "total", "Writes per route, the same routes as conflictwatch_route_conflicts_total.")
        let routes = s.routes.isEmpty ? [LiveStatus.RouteTotals(route: RouteLabelSet.otherLabel, writes: 0, conflicts: 0)] : s.routes
        for r in routes {
            count(routeConflicts, [("route", r.route)], r.conflicts)
            count(routeWrites, [("route", r.route)], r.writes)
        }

        let dropped = describe("packets_dropped", unit: "total", "Packets lost before the capture read them, by where libpcap says they were dropped.")
        count(dropped, [("reason", "kernel")], s.kernelDrops)
        count(dropped, [("reason", "interface")], s.interfaceDrops)

        if let f = s.fleet {
            set(describe("fleet_leader", "1 while this agent holds the fleet's aggregator role, else 0."), [], f.leading ? 1 : 0)
            let agents = describe("fleet_agents", "Agents whose summaries hold the fleet's watermark (state=live) and agents dropped from it after agent_timeout_seconds of silence (state=dropped), as the leader sees them; 0 on the other agents.")
            set(agents, [("state", "live")], Double(f.liveAgents))
            set(agents, [("state", "dropped")], Double(f.droppedAgents))
            set(describe("fleet_outbox", unit: "bytes", "Summaries in this agent's local outbox not yet shipped to PostgreSQL; reading pauses at 512 MiB."), [], Double(f.outboxBytes))
            count(describe("fleet_shipped_summaries", unit: "total", "Summaries this agent shipped to PostgreSQL."), [], f.shippedSummaries)
            count(describe("fleet_shipped_exchanges", unit: "total", "Exchanges in the summaries this agent shipped."), [], f.shippedExchanges)
            count(describe("fleet_accounted_exchanges", unit: "total", "Exchanges this agent's aggregator took through the fleet's model while it led."), [], f.accounted)
            if let w = f.watermark {
                set(describe("fleet_watermark", unit: "seconds", "The fleet's traffic-time watermark (Unix time) as the leader last saw it."), [], w)
            }
        }

        set(describe("build_info", "Always 1; the labels say which build is running."),
            [("version", BuildInfo.version), ("swift_version", BuildInfo.swiftVersion)], 1)
        return registry.emitToString()
    }
}
