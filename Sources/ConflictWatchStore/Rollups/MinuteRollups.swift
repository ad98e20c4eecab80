import ConflictWatchCore

/// Per-minute route rollups and per-bucket counts of an offline run (`analyze --state-dir`),
/// cut by the daemon's `RollupTracker` as the traffic crosses each minute and bucket and once
/// more at the end, so the store sees the run's time course as the daemon would have written it.
public final class MinuteRollups {
    private var tracker: RollupTracker
    public private(set) var rows: [RouteRollup] = []
    /// The last hours of the run per model bucket (the tracker keeps no more than the store would).
    public private(set) var buckets: [RouteBucket] = []
    /// Time of the run's last exchange (µs), nil when it had none: the minute its hot spots are filed under.
    public private(set) var lastTrafficMicros: Int64?

    public init(bucketSeconds: Double) {
        tracker = RollupTracker(bucketSeconds: bucketSeconds)
    }

    public var aliases: [String: String] { tracker.aliases }

    /// Before the analyzer records `x`.
    @inline(__always)
    public func observe(_ x: ExchangeView, _ analyzer: inout TrafficAnalyzer) {
        tracker.willRecord(time: x.time, analyzer: &analyzer, into: &rows)
    }

    /// After the last exchange (from `OfflineAnalysis.run`'s `inspect`).
    public func finish(_ analyzer: inout TrafficAnalyzer) {
        if let m = tracker.minute { rows += tracker.cut(m, analyzer: &analyzer) }
        buckets = tracker.takeBuckets(analyzer: &analyzer)
        lastTrafficMicros = analyzer.exchanges > 0 ? analyzer.lastTime : nil
    }
}
