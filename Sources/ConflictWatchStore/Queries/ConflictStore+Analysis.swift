import ConflictWatchCore
import Logging

extension ConflictStore {
    /// Stores an offline run (`analyze --state-dir`): its alerts, its final hot spots (under the last traffic minute) and
    /// its traffic — per minute when `rollups` are given (as the daemon writes them), else the
    /// route totals under the last minute). Either way `routes` over all time matches `analyze`.
    /// `buckets` are the run's last hours per model bucket (the recent fine series).
    public func record(_ report: AnalysisReport, lastTrafficMicros: Int64, rollups: [RouteRollup] = [],
                       buckets: [RouteBucket] = [], routeAliases: [String: String] = [:]) throws(StoreError) {
        let minute = lastTrafficMicros >= 0 ? lastTrafficMicros / 60_000_000 : (lastTrafficMicros - 59_999_999) / 60_000_000
        var batch = StoreBatch()
        // The silences decide over the alerts still open, as in the daemon (SPEC §6).
        let active = try silences()
        batch.alerts = active.isEmpty ? report.alerts : report.alerts.map { alert in
            var a = alert
            if a.end == nil { a.silenced = active.contains { $0.matches(a) } }
            return a
        }
        batch.hotspots = report.hotspots
        batch.hotspotMinute = minute
        batch.routeAliases = routeAliases
        batch.buckets = buckets
        batch.rollups = !rollups.isEmpty ? rollups : report.routes.map { r in
            RouteRollup(
                minute: minute, route: r.route, requests: Int64(r.requests), writes: Int64(r.writes),
                conflicts: Int64(r.conflicts), statuses: r.statuses.mapValues { Int64($0) },
                writers: r.writers, resources: r.resources, p50Ms: r.p50Ms, p99Ms: r.p99Ms)
        }
        try commit(batch)
    }
}

extension ConflictStore {
    /// `analyze --state-dir`: opens the store in `directory` as its writer and records the finished
    /// run with its per-minute and per-bucket traffic. A run without traffic files its hot spots
    /// under the current minute.
    public static func saveAnalysis(_ report: AnalysisReport, rollups: MinuteRollups, in directory: String) throws(StoreError) {
        let store = try ConflictStore(directory: directory, mode: .writer, logger: Logger(label: "conflictwatch.store"))
        try store.record(report, lastTrafficMicros: rollups.lastTrafficMicros ?? CivilTime.nowMicros(), rollups: rollups.rows,
                         buckets: rollups.buckets, routeAliases: rollups.aliases)
    }
}
