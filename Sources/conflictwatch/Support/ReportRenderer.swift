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
            out += "  \(TerminalText.escape(src.source)): \(src.malformed) malformed of \(src.lines) lines"
            if let e = src.error { out += "; stopped: \(TerminalText.escape(e))" }
            out += "\n"
            for sample in src.samples {
                out += "    line \(sample.line): \(TerminalText.escape(sample.reason)): \(TerminalText.escape(String(sample.text.prefix(120))))\n"
            }
        }
        return out
    }

    /// One line per source for `--verbose` (stderr).
    static func sourceDetails(_ sources: [SourceReport]) -> String {
        var out = ""
        for s in sources {
            out += "\(TerminalText.escape(s.source)): format \(s.format), \(s.bytes) bytes, \(s.lines) lines, \(s.exchanges) exchanges, \(s.blank) blank, \(s.malformed) malformed"
            if !s.malformedReasons.isEmpty {
                out += " (" + s.malformedReasons.sorted { $0.value > $1.value }.map { "\($0.value) \(TerminalText.escape($0.key))" }.joined(separator: "; ") + ")"
            }
            if let e = s.error { out += "; stopped: \(TerminalText.escape(e))" }
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

    static func alerts(_ alerts: [Alert]) -> String {
        guard !alerts.isEmpty else { return "Alerts: none\n" }
        // The SILENCED column only where a silence is involved (never in `analyze`, which has none).
        let anySilenced = alerts.contains { $0.silenced }
        var t = TableRenderer([
            ("START", .left), ("END", .left), ("KIND", .left), ("SEVERITY", .left), ("ROUTE", .left),
            ("CLASS", .left), ("PEAK", .right), ("EXPECTED", .right), ("WHO", .left),
        ] + (anySilenced ? [("SILENCED", .left)] : []))
        for a in alerts {
            t.add([
                String(a.start.prefix(19)), a.end.map { String($0.prefix(19)) } ?? "open", a.kind.rawValue,
                a.severity.rawValue, String(a.route.prefix(40)), a.class.joined(separator: ","), "\(a.peakCount)",
                String(format: "%.1f", a.expected), a.client ?? a.resource ?? "",
            ] + (anySilenced ? [a.silenced ? "silenced" : ""] : []))
        }
        var out = "Alerts (\(alerts.count), by start)\n" + t.render()
        for a in alerts.prefix(10) {
            out += "  \(TerminalText.escape(a.id)): \(a.silenced ? "[silenced] " : "")\(TerminalText.escape(a.reason))\n"
        }
        if alerts.count > 10 { out += "  … \(alerts.count - 10) more; use --format json for all\n" }
        return out
    }

    static func hotspots(_ rows: [HotspotRow]) -> String {
        guard !rows.isEmpty else { return "Hot spots: none\n" }
        var t = TableRenderer([
            ("RESOURCE", .left), ("ROUTE", .left), ("P(CONFLICT)", .right), ("WRITES/MIN", .right),
            ("WRITERS", .right), ("EDIT MS", .right), ("CONFLICTS", .right), ("SINCE", .left),
        ])
        for h in rows {
            t.add([
                String(h.resource.prefix(50)), String(h.route.prefix(40)), String(format: "%.3f", h.probability),
                String(format: "%.1f", h.writeRate * 60), "\(h.writers)", h.editWindowMs.map { String(format: "%.0f", $0) } ?? "-",
                "\(h.conflicts)", String(h.since.prefix(19)),
            ])
        }
        return "Hot spots (predicted conflict within the horizon, most likely first)\n" + t.render()
    }

    static func table(_ report: AnalysisReport, top: Int) -> String {
        var out = summary(report.summary) + "\n" + routes(report.routes, top: top) + "\n"
        out += alerts(report.alerts) + "\n" + hotspots(report.hotspots)
        return TerminalText.escapeLines(out)
    }
}
