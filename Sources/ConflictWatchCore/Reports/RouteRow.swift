/// One row of the routes table (SPEC §6).
public struct RouteRow: Codable, Sendable, Equatable {
    public var route: String
    public var requests: UInt64
    public var writes: UInt64
    public var conflicts: UInt64
    /// Status code (as text, as JSON keys must be) → count; "0" = no response.
    public var statuses: [String: UInt64]
    /// conflicts / writes (0 when the route had no writes).
    public var conflictRatio: Double
    public var writers: Int
    public var resources: Int
    public var p50Ms: Double?
    public var p99Ms: Double?

    enum CodingKeys: String, CodingKey {
        case route, requests, writes, conflicts, statuses
        case conflictRatio = "conflict_ratio"
        case writers, resources
        case p50Ms = "p50_ms"
        case p99Ms = "p99_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(route, forKey: .route)
        try c.encode(requests, forKey: .requests)
        try c.encode(writes, forKey: .writes)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(statuses, forKey: .statuses)
        try c.encode(conflictRatio, forKey: .conflictRatio)
        try c.encode(writers, forKey: .writers)
        try c.encode(resources, forKey: .resources)
        try c.encode(p50Ms, forKey: .p50Ms)
        try c.encode(p99Ms, forKey: .p99Ms)
    }
}
