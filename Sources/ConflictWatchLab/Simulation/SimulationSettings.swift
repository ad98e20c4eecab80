import ConflictWatchCore

/// What `simulate` is asked for.
public struct SimulationSettings: Sendable {
    public var scenario: Scenario
    public var seed: UInt64
    public var durationSeconds: Double
    /// Mean request rate of the background traffic, requests per second (events add theirs).
    public var rate: Double
    public var logFormat: SimulatedLogFormat
    /// The log's file name, as recorded in the truth file.
    public var logName = "access.log"
    /// Traffic starts here: 2025-11-24T16:00:00Z, a fixed date so runs are reproducible.
    public var startMicros: Int64 = 1_764_000_000_000_000
    /// The bucket the truth's peaks are counted in (the model's default bucket).
    public var bucketSeconds: Double = ModelParameters().bucketSeconds
    /// Client addresses of the regular traffic (25 users per address on average).
    public var clients = 800

    public static let defaultRate = 40.0

    public init(scenario: Scenario, seed: UInt64 = 1, durationSeconds: Double? = nil, rate: Double = Self.defaultRate,
                logFormat: SimulatedLogFormat = .combined) {
        self.scenario = scenario
        self.seed = seed
        self.durationSeconds = durationSeconds ?? Double(scenario.defaultDurationSeconds)
        self.rate = rate
        self.logFormat = logFormat
    }

    var endMicros: Int64 { startMicros + Int64(durationSeconds * 1e6) }
}
