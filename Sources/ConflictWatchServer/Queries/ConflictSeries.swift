/// Traffic over time for the top routes (`GET /api/v1/series`, the dashboard's charts): per
/// route, one point per step of `stepSeconds`, from `start` to `end` (both RFC 3339 UTC, traffic
/// time), zeros included, so every route's points line up. `resolution` says what the steps
/// were summed from: `minute` rollups (kept for the retention) or model `bucket`s (kept for
/// the last hours only, so a storm of a few seconds stays visible).
public struct ConflictSeries: Codable, Sendable, Equatable {
    public enum Resolution: String, Codable, Sendable, CaseIterable {
        case minute, bucket
    }

    public struct Point: Codable, Sendable, Equatable {
        public var time: String
        public var requests: Int64
        public var writes: Int64
        public var conflicts: Int64

        public init(time: String, requests: Int64, writes: Int64, conflicts: Int64) {
            self.time = time
            self.requests = requests
            self.writes = writes
            self.conflicts = conflicts
        }
    }

    public struct Route: Codable, Sendable, Equatable {
        public var route: String
        public var conflicts: Int64
        public var points: [Point]

        public init(route: String, conflicts: Int64, points: [Point]) {
            self.route = route
            self.conflicts = conflicts
            self.points = points
        }
    }

    public var start: String?
    public var end: String?
    public var stepSeconds: Int
    public var resolution: Resolution
    public var routes: [Route]

    public init(start: String?, end: String?, stepSeconds: Int, resolution: Resolution = .minute, routes: [Route]) {
        self.start = start
        self.end = end
        self.stepSeconds = stepSeconds
        self.resolution = resolution
        self.routes = routes
    }

    enum CodingKeys: String, CodingKey {
        case start, end
        case stepSeconds = "step_seconds"
        case resolution, routes
    }

    /// A server older than the bucket series sends no `resolution`: its series are per minute.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decodeIfPresent(String.self, forKey: .start)
        end = try c.decodeIfPresent(String.self, forKey: .end)
        stepSeconds = try c.decode(Int.self, forKey: .stepSeconds)
        resolution = try c.decodeIfPresent(Resolution.self, forKey: .resolution) ?? .minute
        routes = try c.decode([Route].self, forKey: .routes)
    }

    /// Every key written, absent values as `null`, like the other SPEC shapes.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(stepSeconds, forKey: .stepSeconds)
        try c.encode(resolution, forKey: .resolution)
        try c.encode(routes, forKey: .routes)
    }
}
