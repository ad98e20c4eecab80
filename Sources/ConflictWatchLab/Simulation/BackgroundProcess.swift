import ConflictWatchCore

/// Background processes some scenarios add to the regular traffic.
enum BackgroundProcess: Sendable, CaseIterable {
    /// `POST /api/bookings`: demand grows while the slots fill up (`BookingCalendar`); its
    /// conflicts rise slowly through the whole log, which a detector must follow rather than
    /// alert on.
    case bookings
    /// `PATCH /api/workflows/{id}/state`: workers join a shared inbox (`WorkflowBoard`); a
    /// slow rise too.
    case workflows
    /// A fleet of metrics workers incrementing the counters every few seconds: many normal
    /// conflicts from many clients, steady (`CounterFleet`).
    case counterFleet
}
