import ConflictWatchCore
import ConflictWatchStore
import Foundation

/// `conflictwatch report --out report.html` (SPEC §2): the dashboard frozen with its data — one
/// self-contained file (no external assets, no network, a CSP forbidding both) with the totals,
/// conflicts over time per top route (recent per bucket, the whole window per minute or wider
/// steps), conflicts per route, the alert timeline, every alert of the window, the hot spots
/// and the routes table.
public enum ReportPage {
    /// What the page shows, gathered by the same queries as the API's (from a store or a daemon).
    public struct Data: Encodable, Sendable {
        public var generated: String
        public var alerts: [Alert]
        public var hotspots: [HotspotRow]
        public var routes: [RouteRow]
        /// Per minute (or wider steps) over the report's window.
        public var series: ConflictSeries
        /// Per model bucket over the window's last hour (`resolution=bucket`); nil leaves the
        /// recent chart out.
        public var recent: ConflictSeries?
        /// Every silence kept (active and expired, each with `expired`), to explain the alerts
        /// flagged `silenced`.
        public var silences: [Silence]

        public init(generated: String, alerts: [Alert], hotspots: [HotspotRow], routes: [RouteRow], series: ConflictSeries,
                    recent: ConflictSeries? = nil, silences: [Silence] = []) {
            self.generated = generated
            self.alerts = alerts
            self.hotspots = hotspots
            self.routes = routes
            self.series = series
            self.recent = recent
            self.silences = silences
        }
    }

    public static func html(_ data: Data) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return DashboardPage.page(embedded: scriptSafe(String(decoding: try encoder.encode(data), as: UTF8.self)))
    }

    /// JSON that cannot end or open markup inside a `<script>` element: `<`, `>` and `&` only
    /// occur inside JSON strings, where their `\u` escapes mean the same. Routes, clients and
    /// reasons come from the traffic, so a path such as `/</script><script>…` must stay text.
    static func scriptSafe(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for ch in json.unicodeScalars {
            switch ch {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
