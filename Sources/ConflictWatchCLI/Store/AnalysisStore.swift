import ConflictWatchCore
import ConflictWatchDaemon
import ConflictWatchStore
import Logging

/// `analyze --state-dir`: writes the finished report to the embedded store, with the traffic
/// per minute and per model bucket as the daemon stores it (so `routes --since`, the series and
/// `report` see the run's time course, not one lump).
enum AnalysisStore {
    static func save(_ report: AnalysisReport, minutes: MinuteRollups? = nil, in directory: String) throws {
        let last = report.summary.lastTime.flatMap { t in
            Array(t.utf8).withUnsafeBytes { TimestampParser.parseISO8601($0) }
        } ?? TimeSpec.nowMicros()
        do {
            let store = try ConflictStore(directory: directory, mode: .writer, logger: Logger(label: "conflictwatch.store"))
            try store.record(report, lastTrafficMicros: last, rollups: minutes?.rows ?? [], buckets: minutes?.buckets ?? [],
                             routeAliases: minutes?.aliases ?? [:])
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}

/// Per-minute route rollups and per-bucket counts of an offline run, cut as the traffic crosses
/// each minute and bucket (the daemon's `RollupTracker`) and once more at the end.
final class MinuteRollups {
    private var tracker: RollupTracker
    private(set) var rows: [RouteRollup] = []
    /// The last hours of the run per model bucket (the tracker keeps no more than the store would).
    private(set) var buckets: [RouteBucket] = []

    init(bucketSeconds: Double) {
        tracker = RollupTracker(bucketSeconds: bucketSeconds)
    }

    var aliases: [String: String] { tracker.aliases }

    @inline(__always)
    func observe(_ x: ExchangeView, _ analyzer: inout TrafficAnalyzer) {
        tracker.willRecord(time: x.time, analyzer: &analyzer, into: &rows)
    }

    /// After the last exchange (from `OfflineAnalysis.run`'s `inspect`).
    func finish(_ analyzer: inout TrafficAnalyzer) {
        if let m = tracker.minute { rows += tracker.cut(m, analyzer: &analyzer) }
        buckets = tracker.takeBuckets(analyzer: &analyzer)
    }
}
