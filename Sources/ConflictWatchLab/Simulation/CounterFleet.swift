import ConflictWatchCore

/// Programs that increment the shared counters (page views, stock movements) with a
/// read-modify-write every few seconds each. Together they keep the counters' route busy with
/// normal conflicts from many clients — the crowd a retry storm must be told apart from.
enum CounterFleet {
    static let workers = 16
    /// Pause between two increments of one worker, seconds.
    static let pause = 4.0...10.0
    static let agent = "metrics-agent/1.8"
}
