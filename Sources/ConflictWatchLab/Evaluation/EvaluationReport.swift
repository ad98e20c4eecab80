import ConflictWatchCore

/// What `evaluate` prints with `--format json`: the detection scores, the ranking scores, the
/// replay's input counts, and the quality-bar verdict.
public struct EvaluationReport: Encodable, Sendable {
    public struct Replay: Encodable, Sendable {
        public var log: String
        public var lines: UInt64
        public var exchanges: UInt64
        public var malformed: UInt64

        public init(log: String, lines: UInt64, exchanges: UInt64, malformed: UInt64) {
            self.log = log
            self.lines = lines
            self.exchanges = exchanges
            self.malformed = malformed
        }
    }

    public var scenario: String
    public var seed: UInt64
    public var truth: String
    public var alerts: String
    public var detection: DetectionEvaluation
    /// Nil with `--no-ranking`.
    public var ranking: RankingEvaluation?
    public var replay: Replay?
    public var quality: QualityBar

    public init(scenario: String, seed: UInt64, truth: String, alerts: String, detection: DetectionEvaluation,
                ranking: RankingEvaluation?, replay: Replay?, quality: QualityBar) {
        self.scenario = scenario
        self.seed = seed
        self.truth = truth
        self.alerts = alerts
        self.detection = detection
        self.ranking = ranking
        self.replay = replay
        self.quality = quality
    }

    enum CodingKeys: String, CodingKey { case scenario, seed, truth, alerts, detection, ranking, replay, quality }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(seed, forKey: .seed)
        try c.encode(truth, forKey: .truth)
        try c.encode(alerts, forKey: .alerts)
        try c.encode(detection, forKey: .detection)
        try c.encode(ranking, forKey: .ranking)
        try c.encode(replay, forKey: .replay)
        try c.encode(quality, forKey: .quality)
    }
}
