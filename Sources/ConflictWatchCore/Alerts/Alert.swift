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
    public struct ResourceCount: Codable, Sendable, Equatable {
        public var resource: String
        public var count: Int
        /// Hotspot alerts: when the resource joined the alert (absent on bursts).
        public var since: String?

        public init(resource: String, count: Int, since: String? = nil) {
            self.resource = resource
            self.count = count
            self.since = since
        }
    }

    /// A new step on top of an open burst (SPEC §5.4): when, the bucket's count, and the level
    /// the alert had settled at before.
    public struct Escalation: Codable, Sendable, Equatable {
        public var time: String
        public var count: Int
        public var expected: Double

        public init(time: String, count: Int, expected: Double) {
            self.time = time
            self.count = count
            self.expected = expected
        }
    }
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
    /// Bursts: the steps on top (empty when none; always empty on hot spots).
    public var escalations: [Escalation] = []
    /// An active silence matched the alert while it was open (SPEC §6): still stored and listed,
    /// but no webhook and not counted as open. The model never sets it; the daemon and the store
    /// decide it from the silences, so `analyze` always reports false.
    public var silenced = false
    /// A fleet's alert (SPEC §7): the agents whose traffic it was found in. Nil (and not
    /// written) for one server's alerts.
    public var agents: [String]? = nil

    enum CodingKeys: String, CodingKey {
        case id, kind, `class`, severity, route, resource, client, statuses, start, end
        case peakCount = "peak_count"
        case expected, score, probability
        case topClients = "top_clients"
        case topResources = "top_resources"
        case samples, reason, escalations, silenced, agents
    }

    public init(
        id: String, kind: Kind, class: [String], severity: Severity, route: String, resource: String?, client: String?,
        statuses: [String: Int], start: String, end: String?, peakCount: Int, expected: Double, score: Double,
        probability: Double?, topClients: [ClientCount], topResources: [ResourceCount], samples: [Sample], reason: String,
        escalations: [Escalation] = []
    ) {
        self.id = id
        self.kind = kind
        self.class = `class`
        self.severity = severity
        self.route = route
        self.resource = resource
        self.client = client
        self.statuses = statuses
        self.start = start
        self.end = end
        self.peakCount = peakCount
        self.expected = expected
        self.score = score
        self.probability = probability
        self.topClients = topClients
        self.topResources = topResources
        self.samples = samples
        self.reason = reason
        self.escalations = escalations
    }

    /// Alerts stored by earlier versions lack the newer keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        kind = try c.decode(Kind.self, forKey: .kind)
        self.class = try c.decode([String].self, forKey: .class)
        severity = try c.decode(Severity.self, forKey: .severity)
        route = try c.decode(String.self, forKey: .route)
        resource = try c.decodeIfPresent(String.self, forKey: .resource)
        client = try c.decodeIfPresent(String.self, forKey: .client)
        statuses = try c.decode([String: Int].self, forKey: .statuses)
        start = try c.decode(String.self, forKey: .start)
        end = try c.decodeIfPresent(String.self, forKey: .end)
        peakCount = try c.decode(Int.self, forKey: .peakCount)
        expected = try c.decode(Double.self, forKey: .expected)
        score = try c.decode(Double.self, forKey: .score)
        probability = try c.decodeIfPresent(Double.self, forKey: .probability)
        topClients = try c.decode([ClientCount].self, forKey: .topClients)
        topResources = try c.decode([ResourceCount].self, forKey: .topResources)
        samples = try c.decode([Sample].self, forKey: .samples)
        reason = try c.decode(String.self, forKey: .reason)
        escalations = try c.decodeIfPresent([Escalation].self, forKey: .escalations) ?? []
        silenced = try c.decodeIfPresent(Bool.self, forKey: .silenced) ?? false
        agents = try c.decodeIfPresent([String].self, forKey: .agents)
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
        try c.encode(escalations, forKey: .escalations)
        try c.encode(silenced, forKey: .silenced)
        try c.encodeIfPresent(agents, forKey: .agents)
    }
}
