import ConflictWatchCore

extension ConflictStore {
    /// Stores an offline analysis (`analyze --state-dir`): its alerts, final hot spots and route
    /// totals. The totals are filed under the minute of the last traffic (the offline pipeline
    /// keeps no per-minute history), so `routes` over all time matches `analyze` exactly.
    public func record(_ report: AnalysisReport, lastTrafficMicros: Int64) throws(StoreError) {
        let minute = lastTrafficMicros >= 0 ? lastTrafficMicros / 60_000_000 : (lastTrafficMicros - 59_999_999) / 60_000_000
        var batch = StoreBatch()
        batch.alerts = report.alerts
        batch.hotspots = report.hotspots
        batch.hotspotMinute = minute
        batch.rollups = report.routes.map { r in
            RouteRollup(
                minute: minute, route: r.route, requests: Int64(r.requests), writes: Int64(r.writes),
                conflicts: Int64(r.conflicts), statuses: r.statuses.mapValues { Int64($0) },
                writers: r.writers, resources: r.resources, p50Ms: r.p50Ms, p99Ms: r.p99Ms)
        }
        try commit(batch)
    }
}
