import ConflictWatchCore

/// Everything one flush of the pipeline produced, committed in one transaction so that the
/// checkpoints never run ahead of (or behind) the state they account for.
public struct StoreBatch: Sendable {
    /// New or changed alerts (replaced whole, by id).
    public var alerts: [Alert] = []
    /// Deltas added to the stored minute rows.
    public var rollups: [RouteRollup] = []
    /// Deltas added to the stored per-bucket rows (the fine recent series).
    public var buckets: [RouteBucket] = []
    /// Old route name → the name it is reported under now.
    public var routeAliases: [String: String] = [:]
    /// The ranked hot spots as of `hotspotMinute` (replacing that minute's snapshot).
    public var hotspots: [HotspotRow]? = nil
    public var hotspotMinute: Int64 = 0
    /// Checkpoints replacing the stored ones of their sources (all rows of each listed source).
    public var checkpoints: [String: [SourceCheckpoint]] = [:]
    /// Transitions of alerts' lives (opened, escalated, closed, reopened), kept once each.
    public var events: [AlertTransition] = []
    /// The model's restart state as of these checkpoints (replacing the stored one).
    public var modelState: [UInt8]? = nil
    /// The webhook outbox rows of `events` (one per receiver that wants the event), committed
    /// with them so a crash can neither lose an event nor report one the store lacks.
    public var webhookDeliveries: [WebhookDelivery] = []
    /// A fleet agent's summary of the exchanges these checkpoints account (SPEC §7), kept in the
    /// outbox until PostgreSQL has it.
    public var fleetSummary: FleetSummary? = nil
    /// Pending rows kept per receiver; beyond it the oldest are dropped (and counted).
    public var webhookCapacity = WebhookDelivery.defaultCapacity

    public init() {}

    public var isEmpty: Bool {
        alerts.isEmpty && rollups.isEmpty && buckets.isEmpty && routeAliases.isEmpty && hotspots == nil && checkpoints.isEmpty && events.isEmpty && modelState == nil
            && webhookDeliveries.isEmpty && fleetSummary == nil
    }
}
