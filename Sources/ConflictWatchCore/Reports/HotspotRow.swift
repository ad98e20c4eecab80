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
    /// The ranking's score: expected conflicts in the horizon (unbounded, unlike probability) …
    public var expectedConflicts: Double = 0
    /// … and how far above the resource's own recent level it is (1 = as always).
    public var rising: Double = 1
    /// The traffic time the prediction is for (an idle daemon moves it on with the clock).
    public var asOf: String = ""

    enum CodingKeys: String, CodingKey {
        case resource, route, probability
        case writeRate = "write_rate"
        case writers
        case editWindowMs = "edit_window_ms"
        case conflicts, since
        case expectedConflicts = "expected_conflicts"
        case rising
        case asOf = "as_of"
    }

    public init(resource: String, route: String, probability: Double, writeRate: Double, writers: Int, editWindowMs: Double?,
                conflicts: Int, since: String, expectedConflicts: Double = 0, rising: Double = 1, asOf: String = "") {
        self.resource = resource
        self.route = route
        self.probability = probability
        self.writeRate = writeRate
        self.writers = writers
        self.editWindowMs = editWindowMs
        self.conflicts = conflicts
        self.since = since
        self.expectedConflicts = expectedConflicts
        self.rising = rising
        self.asOf = asOf
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        resource = try c.decode(String.self, forKey: .resource)
        route = try c.decode(String.self, forKey: .route)
        probability = try c.decode(Double.self, forKey: .probability)
        writeRate = try c.decode(Double.self, forKey: .writeRate)
        writers = try c.decode(Int.self, forKey: .writers)
        editWindowMs = try c.decodeIfPresent(Double.self, forKey: .editWindowMs)
        conflicts = try c.decode(Int.self, forKey: .conflicts)
        since = try c.decode(String.self, forKey: .since)
        expectedConflicts = try c.decodeIfPresent(Double.self, forKey: .expectedConflicts) ?? 0
        rising = try c.decodeIfPresent(Double.self, forKey: .rising) ?? 1
        asOf = try c.decodeIfPresent(String.self, forKey: .asOf) ?? ""
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
        try c.encode(expectedConflicts, forKey: .expectedConflicts)
        try c.encode(rising, forKey: .rising)
        try c.encode(asOf, forKey: .asOf)
    }
}
