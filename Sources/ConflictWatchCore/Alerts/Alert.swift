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

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(time, forKey: .time)
            try c.encode(client, forKey: .client)
            try c.encode(method, forKey: .method)
            try c.encode(path, forKey: .path)
            try c.encode(status, forKey: .status)
        }

        enum CodingKeys: String, CodingKey { case time, client, method, path, status }
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

    /// Every SPEC §6 key is written, absent values as `null` (not left out), so consumers can
    /// rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(self.class, forKey: .class)
        try c.encode(severity, forKey: .severity)
        try c.encode(route, forKey: .route)
        try c.encode(resource, forKey: .resource)
        try c.encode(client, forKey: .client)
        try c.encode(statuses, forKey: .statuses)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(peakCount, forKey: .peakCount)
        try c.encode(expected, forKey: .expected)
        try c.encode(score, forKey: .score)
        try c.encode(probability, forKey: .probability)
        try c.encode(topClients, forKey: .topClients)
        try c.encode(topResources, forKey: .topResources)
        try c.encode(samples, forKey: .samples)
        try c.encode(reason, forKey: .reason)
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

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resource, forKey: .resource)
        try c.encode(route, forKey: .route)
        try c.encode(probability, forKey: .probability)
        try c.encode(writeRate, forKey: .writeRate)
        try c.encode(writers, forKey: .writers)
        try c.encode(editWindowMs, forKey: .editWindowMs)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(since, forKey: .since)
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
