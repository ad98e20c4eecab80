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

    /// `fromStore`: the rows are the store's per-minute rollups (`routes`), whose distinct counts
    /// and quantiles are the daemon's running values rather than the run's exact ones.
    static func routes(_ rows: [RouteRow], top: Int, fromStore: Bool = false) -> String {
        guard !rows.isEmpty else { return "Routes: none\n" }
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
        var legend: [(column: String, meaning: String)] = [
            ("RATIO", "conflicts / writes"),
            ("WRITERS", "distinct clients that wrote" + (fromStore ? " (the window's largest running count; restarts with the daemon)" : "")),
            ("RESOURCES", "distinct paths requested" + (fromStore ? " (likewise)" : "")),
            ("P50/P99 MS", (fromStore ? "the latest latency quantiles" : "latency quantiles") + "; - where the log has no latency"),
            ("STATUSES", "the 4 most frequent, status:count"),
        ]
        if fromStore { legend.insert(("REQUESTS…", "exact sums over the window's traffic minutes"), at: 0) }
        out += TableRenderer.legend(legend)
        return out
    }

    /// Bursts and hot-spot alerts share the SPEC §6 shape but not the meaning of its numbers, so
    /// each kind gets its own table whose every column means one thing.
    static func alerts(_ alerts: [Alert]) -> String {
        guard !alerts.isEmpty else { return "Alerts: none\n" }
        // The SILENCED column only where a silence is involved (never in `analyze`, which has none).
        let anySilenced = alerts.contains { $0.silenced }
        let silencedColumn: [(String, TableRenderer.Alignment)] = anySilenced ? [("SILENCED", .left)] : []
        func silencedCell(_ a: Alert) -> [String] { anySilenced ? [a.silenced ? "silenced" : ""] : [] }
        var out = "Alerts (\(alerts.count), by start; times UTC)\n"
        let bursts = alerts.filter { $0.kind == .burst }
        if !bursts.isEmpty {
            var t = TableRenderer([
                ("START", .left), ("END", .left), ("SEVERITY", .left), ("ROUTE", .left), ("CLASS", .left),
                ("PEAK/BUCKET", .right), ("EXPECTED", .right), ("CLIENT", .left), ("RESOURCE", .left),
            ] + silencedColumn)
            for a in bursts {
                t.add([
                    TableTime.utc(a.start), a.end.map(TableTime.utc) ?? "open", a.severity.rawValue, String(a.route.prefix(40)),
                    a.class.joined(separator: ","), "\(a.peakCount)", String(format: "%.1f", a.expected),
                    a.client ?? "-", a.resource.map { String($0.prefix(40)) } ?? "-",
                ] + silencedCell(a))
            }
            out += "Bursts (\(bursts.count)): conflicts far above the route's own baseline\n" + t.render()
            out += TableRenderer.legend([
                ("PEAK/BUCKET", "most conflicts in one bucket (bucket_seconds, 10 s by default)"),
                ("EXPECTED", "what the route's baseline expected in that bucket"),
                ("CLIENT", "the client behind most of the excess (single_client), else -"),
                ("RESOURCE", "the resource behind most of it (single_resource), else -"),
            ])
        }
        let hotspots = alerts.filter { $0.kind == .hotspot }
        if !hotspots.isEmpty {
            if !bursts.isEmpty { out += "\n" }
            var t = TableRenderer([
                ("START", .left), ("END", .left), ("SEVERITY", .left), ("ROUTE", .left), ("NEWEST RESOURCE", .left),
                ("RESOURCES", .right), ("CONFLICTS", .right), ("PEAK P", .right), ("PEAK E", .right),
            ] + silencedColumn)
            for a in hotspots {
                t.add([
                    TableTime.utc(a.start), a.end.map(TableTime.utc) ?? "open", a.severity.rawValue, String(a.route.prefix(40)),
                    a.resource.map { String($0.prefix(40)) } ?? "-", "\(a.topResources.count)", "\(a.peakCount)",
                    a.probability.map { String(format: "%.3f", $0) } ?? "-", String(format: "%.1f", a.expected),
                ] + silencedCell(a))
            }
            out += "Hot-spot alerts (\(hotspots.count)): resources of a route whose predicted conflicts rose\n" + t.render()
            out += TableRenderer.legend([
                ("NEWEST RESOURCE", "the last resource to join the alert (top_resources lists them all)"),
                ("RESOURCES", "resources in the alert"),
                ("CONFLICTS", "conflicts seen on them while it was open (a count)"),
                ("PEAK P", "highest predicted probability of a conflict within the horizon (60 s by default)"),
                ("PEAK E", "highest predicted number of conflicts within the horizon (a prediction)"),
            ])
        }
        for a in alerts.prefix(10) {
            out += "  \(TerminalText.escape(a.id)): \(a.silenced ? "[silenced] " : "")\(TerminalText.escape(a.reason))\n"
        }
        if alerts.count > 10 { out += "  … \(alerts.count - 10) more; use --format json for all\n" }
        return out
    }

    static func hotspots(_ rows: [HotspotRow]) -> String {
        guard !rows.isEmpty else { return "Hot spots: none\n" }
        var t = TableRenderer([
            ("RESOURCE", .left), ("ROUTE", .left), ("EXPECTED", .right), ("P(CONFLICT)", .right), ("RISING", .right),
            ("WRITES/MIN", .right), ("WRITERS", .right), ("EDIT MS", .right), ("CONFLICTS", .right), ("SINCE", .left),
        ])
        for h in rows {
            t.add([
                String(h.resource.prefix(50)), String(h.route.prefix(40)), String(format: "%.2f", h.expectedConflicts),
                String(format: "%.3f", h.probability), String(format: "%.1f×", h.rising),
                String(format: "%.1f", h.writeRate * 60), "\(h.writers)", h.editWindowMs.map { String(format: "%.0f", $0) } ?? "—",
                "\(h.conflicts)", TableTime.utc(h.since),
            ])
        }
        var out = "Hot spots (ranked by expected conflicts within the horizon, rising resources raised; times UTC)\n" + t.render()
        var legend: [(column: String, meaning: String)] = [
            ("EXPECTED", "predicted conflicts within the horizon (horizon_seconds, 60 s by default)"),
            ("P(CONFLICT)", "predicted probability of at least one"),
            ("RISING", "its write rate over its own long-run rate"),
            ("EDIT MS", "measured read→write gap (the resource's, else its route's)"),
            ("CONFLICTS", "conflicts seen on it so far (a count); SINCE: its first write seen"),
        ]
        if rows.contains(where: { $0.editWindowMs == nil }) {
            legend.append(("—", "not measured (no read before a write seen): the model assumes default_edit_window_ms, 1000 by default"))
        }
        out += TableRenderer.legend(legend)
        return out
    }

    static func table(_ report: AnalysisReport, top: Int) -> String {
        var out = summary(report.summary) + "\n" + routes(report.routes, top: top) + "\n"
        out += alerts(report.alerts) + "\n" + hotspots(report.hotspots)
        return TerminalText.escapeLines(out)
    }
}
