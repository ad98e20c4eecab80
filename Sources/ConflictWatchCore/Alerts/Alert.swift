/// An alert as reported and stored (SPEC §6). Bursts and hot spots share the shape.
public struct Alert: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case burst, hotspot }
    public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
        case low, medium, high, critical
        public static func < (a: Severity, b: Severity) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public struct ClientCount: Codable, Sendable, Equatable { public var client: String; public var count: Int }
    public struct ResourceCount: Codable, Sendable, Equatable { public var resource: String; public var count: Int }
    public struct Sample: Codable, Sendable, Equatable {
        public var time: String
        public var client: String
        public var method: String
        public var path: String
        public var status: Int?
    }

    public var id: String
    public var kind: Kind
    public var `class`: [String]
    public var severity: Severity
    public var route: String
    public var resource: String?
    public var client: String?
    public var statuses: [String: Int]
    public var start: String
    public var end: String?
    public var peakCount: Int
    public var expected: Double
    public var score: Double
    public var probability: Double?
    public var topClients: [ClientCount]
    public var topResources: [ResourceCount]
    public var samples: [Sample]
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case id, kind, `class`, severity, route, resource, client, statuses, start, end
        case peakCount = "peak_count"
        case expected, score, probability
        case topClients = "top_clients"
        case topResources = "top_resources"
        case samples, reason
    }
}

/// A resource ranked by its predicted conflict probability (SPEC §6).
public struct HotspotRow: Codable, Sendable, Equatable {
    public var resource: String
    public var route: String
    public var probability: Double
    public var writeRate: Double
    public var writers: Int
    public var editWindowMs: Double?
    public var conflicts: Int
    public var since: String

    enum CodingKeys: String, CodingKey {
        case resource, route, probability
        case writeRate = "write_rate"
        case writers
        case editWindowMs = "edit_window_ms"
        case conflicts, since
    }
}

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
