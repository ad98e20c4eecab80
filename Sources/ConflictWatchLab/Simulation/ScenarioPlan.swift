import ConflictWatchCore

/// What a scenario adds to the background, decided before the run: the events, the extra
/// background processes, and when a restart test should stop and restart the detector.
struct ScenarioPlan: Sendable {
    var events: [InjectedEvent]
    var processes: Set<BackgroundProcess> = []
    /// Seconds from the log's start; mid-incident, for restart checks.
    var restartAt: Double?

    var rushes: Int { events.filter { if case .bookingRush = $0 { true } else { false } }.count }
}
