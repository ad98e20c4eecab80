import ConflictWatchCore

/// One analysis from first exchange to report: the analyzer, the per-source summary, and the
/// SPEC §6 document at the end. `analyze` (files), `capture -r` and live capture all build their
/// report through it, so the three cannot drift apart.
public struct AnalysisSession {
    public var analyzer: TrafficAnalyzer
    public private(set) var summary = AnalysisSummary()
    let started = SystemClock.monotonicSeconds()

    public init(parameters: ModelParameters) {
        analyzer = TrafficAnalyzer(parameters: parameters)
    }

    /// Adds what one source gave to the summary (its exchanges went to `analyzer` already).
    public mutating func add(_ source: SourceReport) {
        summary.sources.append(source)
        summary.lines += source.lines
        summary.exchanges += source.exchanges
        summary.malformed += source.malformed
        summary.blank += source.blank
    }

    /// Closes the last bucket and builds the report. `inspect` sees the analyzer after that
    /// (for `train`).
    public mutating func report(hotspots: Int = 20, inspect: (inout TrafficAnalyzer) -> Void = { _ in }) -> AnalysisReport {
        analyzer.finish()
        summary.writes = analyzer.writes
        summary.conflicts = analyzer.conflicts
        if analyzer.exchanges > 0 {
            summary.firstTime = CivilTime.rfc3339(analyzer.firstTime)
            summary.lastTime = CivilTime.rfc3339(analyzer.lastTime)
        }
        let routes = analyzer.routeRows()
        summary.routes = routes.count
        inspect(&analyzer)
        let alerts = analyzer.alerts()
        let hot = analyzer.hotspots(top: hotspots)
        summary.seconds = SystemClock.monotonicSeconds() - started
        summary.linesPerSecond = summary.seconds > 0 ? (Double(summary.lines) / summary.seconds).rounded() : 0
        return AnalysisReport(summary: summary, routes: routes, alerts: alerts, hotspots: hot)
    }
}
