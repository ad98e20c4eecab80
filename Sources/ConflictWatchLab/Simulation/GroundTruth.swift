import ConflictWatchCore

/// `truth.json`: what `simulate` injected, for `evaluate` to score alerts against. Times are
/// RFC 3339 UTC; `log` is relative to the truth file's directory.
public struct GroundTruth: Codable, Sendable, Equatable {
    public var scenario: String
    public var seed: UInt64
    public var log: String
    public var logFormat: String
    public var bucketSeconds: Double
    public var start: String
    public var end: String
    public var events: [Event]
    /// Requests written to the log (not needed to score; for a person reading the file).
    public var requests: Int?
    /// Where a restart check stops the detector and restarts it on the same state (mid-incident).
    public var restartAt: String?
    /// Routes on which no alert of any kind is right: their conflicts, if any, are not races
    /// and not incidents (locked documents), or they never conflict (notes).
    public var quietRoutes: [String]?

    public struct Event: Codable, Sendable, Equatable {
        public var id: String
        /// `burst` or `hotspot`.
        public var kind: String
        /// The primary class (kept for older readers): `single_client`, `single_resource`, `route_wide`.
        public var `class`: String
        /// Every class the detector's alert must carry (includes `class`); nil in older files,
        /// which means `[class]`.
        public var classes: [String]?
        public var route: String
        public var resource: String?
        /// When set, the alert must name this client.
        public var client: String?
        public var start: String
        public var end: String
        /// Hot spots: the start of the bucket in which the resource's conflicts peaked.
        public var peak: String?
        /// Hot spots: the first concurrent writes (with version checks, two overlapping edits
        /// always end in a refused write, so: the first conflict on the resource in the event).
        public var onset: String?
        public var description: String?

        public init(id: String, kind: String, class c: String, classes: [String]? = nil, route: String, resource: String?,
                    client: String?, start: String, end: String, peak: String? = nil, onset: String? = nil,
                    description: String? = nil) {
            self.id = id
            self.kind = kind
            self.class = c
            self.classes = classes
            self.route = route
            self.resource = resource
            self.client = client
            self.start = start
            self.end = end
            self.peak = peak
            self.onset = onset
            self.description = description
        }

        /// The classes to check: `classes`, or the primary class alone.
        public var requiredClasses: [String] { classes ?? [self.class] }

        enum CodingKeys: String, CodingKey {
            case id, kind, `class`, classes, route, resource, client, start, end, peak, onset, description
        }

        /// `resource` and `client` are written as null rather than left out: the schema names them.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(kind, forKey: .kind)
            try c.encode(self.class, forKey: .class)
            try c.encodeIfPresent(classes, forKey: .classes)
            try c.encode(route, forKey: .route)
            try c.encode(resource, forKey: .resource)
            try c.encode(client, forKey: .client)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encodeIfPresent(peak, forKey: .peak)
            try c.encodeIfPresent(onset, forKey: .onset)
            try c.encodeIfPresent(description, forKey: .description)
        }
    }

    public init(scenario: String, seed: UInt64, log: String, logFormat: String, bucketSeconds: Double,
                start: String, end: String, events: [Event], requests: Int? = nil, restartAt: String? = nil,
                quietRoutes: [String]? = nil) {
        self.scenario = scenario
        self.seed = seed
        self.log = log
        self.logFormat = logFormat
        self.bucketSeconds = bucketSeconds
        self.start = start
        self.end = end
        self.events = events
        self.requests = requests
        self.restartAt = restartAt
        self.quietRoutes = quietRoutes
    }

    enum CodingKeys: String, CodingKey {
        case scenario, seed, log
        case logFormat = "log_format"
        case bucketSeconds = "bucket_seconds"
        case start, end, events, requests
        case restartAt = "restart_at"
        case quietRoutes = "quiet_routes"
    }
}
