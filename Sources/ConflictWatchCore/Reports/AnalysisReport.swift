/// The document `analyze --format json` prints (SPEC §6).
public struct AnalysisReport: Codable, Sendable, Equatable {
    public var summary: AnalysisSummary
    public var routes: [RouteRow]
    public var alerts: [Alert]
    public var hotspots: [HotspotRow]

    public init(summary: AnalysisSummary, routes: [RouteRow], alerts: [Alert] = [], hotspots: [HotspotRow] = []) {
        self.summary = summary
        self.routes = routes
        self.alerts = alerts
        self.hotspots = hotspots
    }
}
