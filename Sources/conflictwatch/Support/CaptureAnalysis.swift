import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchIngest

/// The analysis side of `capture`: exchanges into the analyzer, sources into the summary, and
/// the same report `analyze` builds (summary, routes, alerts, hot spots).
struct CaptureAnalysis {
    var analyzer: TrafficAnalyzer
    var summary = AnalysisSummary()
    let started = OfflineAnalysis.monotonicSeconds()

    init(parameters: ModelParameters) {
        analyzer = TrafficAnalyzer(parameters: parameters)
    }

    mutating func add(_ source: SourceReport) {
        summary.sources.append(source)
        summary.lines += source.lines
        summary.exchanges += source.exchanges
        summary.malformed += source.malformed
        summary.blank += source.blank
    }

    mutating func report(hotspots: Int = 20) -> AnalysisReport {
        analyzer.finish()
        summary.writes = analyzer.writes
        summary.conflicts = analyzer.conflicts
        if analyzer.exchanges > 0 {
            summary.firstTime = CivilTime.rfc3339(analyzer.firstTime)
            summary.lastTime = CivilTime.rfc3339(analyzer.lastTime)
        }
        let routes = analyzer.routeRows()
        summary.routes = routes.count
        let alerts = analyzer.alerts()
        let hot = analyzer.hotspots(top: hotspots)
        summary.seconds = OfflineAnalysis.monotonicSeconds() - started
        summary.linesPerSecond = summary.seconds > 0 ? (Double(summary.lines) / summary.seconds).rounded() : 0
        return AnalysisReport(summary: summary, routes: routes, alerts: alerts, hotspots: hot)
    }
}

/// One line of capture counters for people (stderr, `--verbose`).
enum CaptureText {
    static func line(_ source: String, _ c: CaptureReport) -> String {
        var parts = [
            "\(c.packets) packets (\(c.linkType))", "\(c.flows) flows (\(c.httpFlows) HTTP, \(c.tlsFlows) TLS, \(c.http2Flows) HTTP/2, \(c.otherFlows) other)",
        ]
        if let k = c.kernelDrops { parts.append("dropped \(k) by the kernel, \(c.interfaceDrops ?? 0) by the interface") }
        let skipped: [(UInt64, String)] = [
            (c.truncatedPackets, "truncated"), (c.undecodable, "undecodable"), (c.fragments, "IP fragments"), (c.nonTCP, "not TCP"),
            (c.outOfOrder, "out of order"), (c.retransmissions, "retransmitted"), (c.gaps, "gaps (\(c.gapBytes) bytes)"),
            (c.resyncs, "resyncs"), (c.orphanResponses, "responses without request"), (c.unanswered, "unanswered"),
            (c.pendingOverflows, "pending overflows"), (c.evictedFlows, "flows evicted"), (c.idleFlows, "idle flows closed"),
        ]
        parts += skipped.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        return "\(source): " + parts.joined(separator: ", ")
    }
}
