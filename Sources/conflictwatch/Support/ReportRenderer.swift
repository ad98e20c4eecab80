import ConflictWatchCore
import Foundation

/// Human and JSON renderings of an `AnalysisReport`, shared by `analyze` and `demo`.
enum ReportRenderer {
    static func json(_ report: AnalysisReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    static func summary(_ s: AnalysisSummary) -> String {
        var out = "Summary\n"
        out += "  lines \(s.lines)  exchanges \(s.exchanges)  malformed \(s.malformed)  blank \(s.blank)\n"
        out += "  writes \(s.writes)  conflicts \(s.conflicts)  routes \(s.routes)\n"
        if let first = s.firstTime, let last = s.lastTime { out += "  traffic from \(first) to \(last)\n" }
        out += "  read in \(String(format: "%.3f", s.seconds)) s (\(Int(s.linesPerSecond)) lines/s)\n"
        for src in s.sources where src.malformed > 0 || src.error != nil {
            out += "  \(src.source): \(src.malformed) malformed of \(src.lines) lines"
            if let e = src.error { out += "; stopped: \(e)" }
            out += "\n"
            for sample in src.samples {
                out += "    line \(sample.line): \(sample.reason): \(sample.text.prefix(120))\n"
            }
        }
        return out
    }

    /// One line per source for `--verbose` (stderr).
    static func sourceDetails(_ sources: [SourceReport]) -> String {
        var out = ""
        for s in sources {
            out += "\(s.source): format \(s.format), \(s.bytes) bytes, \(s.lines) lines, \(s.exchanges) exchanges, \(s.blank) blank, \(s.malformed) malformed"
            if !s.malformedReasons.isEmpty {
                out += " (" + s.malformedReasons.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: "; ") + ")"
            }
            if let e = s.error { out += "; stopped: \(e)" }
            out += "\n"
        }
        return out
    }

    static func routes(_ rows: [RouteRow], top: Int) -> String {
        var t = TableRenderer([
            ("ROUTE", .left), ("REQUESTS", .right), ("WRITES", .right), ("CONFLICTS", .right),
            ("RATIO", .right), ("WRITERS", .right), ("RESOURCES", .right), ("P50 MS", .right), ("P99 MS", .right),
            ("STATUSES", .left),
        ])
        for r in rows.prefix(top) {
            let statuses = r.statuses.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key):\($0.value)" }.joined(separator: " ")
            t.add([
                String(r.route.prefix(60)), "\(r.requests)", "\(r.writes)", "\(r.conflicts)",
                String(format: "%.3f", r.conflictRatio), "\(r.writers)", "\(r.resources)",
                r.p50Ms.map { String(format: "%.1f", $0) } ?? "-", r.p99Ms.map { String(format: "%.1f", $0) } ?? "-",
                statuses,
            ])
        }
        var out = "Routes (top \(min(top, rows.count)) of \(rows.count), by conflicts, then writes)\n" + t.render()
        if rows.count > top { out += "  … \(rows.count - top) more; use --top N or --format json\n" }
        return out
    }

    static func table(_ report: AnalysisReport, top: Int) -> String {
        var out = summary(report.summary) + "\n" + routes(report.routes, top: top) + "\n"
        out += report.alerts.isEmpty ? "Alerts: none\n" : "Alerts: \(report.alerts.count)\n"
        out += report.hotspots.isEmpty ? "Hot spots: none\n" : "Hot spots: \(report.hotspots.count)\n"
        return out
    }
}
