import Foundation

/// Every tunable of the model, with its default (SPEC §5.5). `models/default.json` holds the
/// same values and a test keeps the two identical; `models/README.md` explains each.
public struct ModelParameters: Codable, Sendable, Equatable {
    public var schema: Int = 1
    /// Methods that count as writes.
    public var writeMethods: [String] = ["PUT", "PATCH", "POST", "DELETE"]
    /// Statuses that count as conflicts.
    public var conflictStatuses: [Int] = [409, 412, 423]
    public var routes = RouteParameters()

    public struct RouteParameters: Codable, Sendable, Equatable {
        /// Distinct values at one literal segment position (under one prefix) before it becomes `{var}`.
        public var varThreshold: Int = 64
        /// Segment positions tracked for `{var}` learning; memory is about 140 bytes each.
        public var maxLearnedPositions: Int = 16_384
        /// Distinct routes kept; more are counted under `{other}`.
        public var maxRoutes: Int = 10_000
        /// Explicit route templates, e.g. `/api/orders/{id}/items`; first match wins.
        public var templates: [String] = []

        public init() {}

        enum CodingKeys: String, CodingKey {
            case varThreshold = "var_threshold"
            case maxLearnedPositions = "max_learned_positions"
            case maxRoutes = "max_routes"
            case templates
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case schema
        case writeMethods = "write_methods"
        case conflictStatuses = "conflict_statuses"
        case routes
    }

    /// Loads a model file; missing keys keep their defaults and unknown keys are ignored, so a
    /// file written by a newer version still loads.
    public static func load(contentsOf url: URL) throws -> ModelParameters {
        let data = try Data(contentsOf: url)
        return try decode(data)
    }

    public static func decode(_ data: Data) throws -> ModelParameters {
        try JSONDecoder().decode(ModelParameters.self, from: data)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters()
        schema = try c.decodeIfPresent(Int.self, forKey: .schema) ?? d.schema
        writeMethods = try c.decodeIfPresent([String].self, forKey: .writeMethods) ?? d.writeMethods
        conflictStatuses = try c.decodeIfPresent([Int].self, forKey: .conflictStatuses) ?? d.conflictStatuses
        routes = try c.decodeIfPresent(RouteParameters.self, forKey: .routes) ?? d.routes
    }
}

extension ModelParameters.RouteParameters {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters.RouteParameters()
        varThreshold = try c.decodeIfPresent(Int.self, forKey: .varThreshold) ?? d.varThreshold
        maxLearnedPositions = try c.decodeIfPresent(Int.self, forKey: .maxLearnedPositions) ?? d.maxLearnedPositions
        maxRoutes = try c.decodeIfPresent(Int.self, forKey: .maxRoutes) ?? d.maxRoutes
        templates = try c.decodeIfPresent([String].self, forKey: .templates) ?? d.templates
    }
}
