import ConflictWatchCore

/// `simulate`: labelled synthetic API traffic for tests, tuning and demos (SPEC §2).
///
/// Clients read a resource (learning its version), think for a log-normal while, and write it
/// back with that version; the server refuses a write whose version is stale (412 for
/// `If-Match`, 409 for a version in the body). A few resources are warm (Zipf popularity), a
/// handful of counters are contended all the time, notes never check versions. Scenarios add
/// events on top, each producing its conflicts the way the real thing would. Deterministic:
/// the same settings give the same requests, byte for byte.
public struct TrafficSimulator: Sendable {
    public let settings: SimulationSettings

    public init(settings: SimulationSettings) { self.settings = settings }

    /// Runs the simulation, handing every request to `emit` in time order, and returns the truth.
    public func run(_ emit: (SimulatedRequest) -> Void) -> GroundTruth {
        var engine = SimulationEngine(settings: settings)
        let events = engine.run(emit)
        return GroundTruth(
            scenario: settings.scenario.rawValue, seed: settings.seed, log: settings.logName,
            logFormat: settings.logFormat.rawValue, bucketSeconds: settings.bucketSeconds,
            start: CivilTime.rfc3339(settings.startMicros), end: CivilTime.rfc3339(settings.endMicros),
            events: events, requests: engine.requests,
            restartAt: engine.restartAt.map { CivilTime.rfc3339(settings.startMicros + Int64($0 * 1e6)) },
            quietRoutes: engine.quietRoutes)
    }
}
