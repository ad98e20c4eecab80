/// `summary` of `analyze --format json` (SPEC §6).
public struct AnalysisSummary: Codable, Sendable, Equatable {
    public var lines: UInt64 = 0
    public var exchanges: UInt64 = 0
    public var malformed: UInt64 = 0
    public var blank: UInt64 = 0
    public var writes: UInt64 = 0
    public var conflicts: UInt64 = 0
    public var routes: Int = 0
    public var firstTime: String? = nil
    public var lastTime: String? = nil
    /// Wall-clock seconds spent reading and analysing.
    public var seconds: Double = 0
    public var linesPerSecond: Double = 0
    public var sources: [SourceReport] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case lines, exchanges, malformed, blank, writes, conflicts, routes
        case firstTime = "first_time"
        case lastTime = "last_time"
        case seconds
        case linesPerSecond = "lines_per_second"
        case sources
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lines, forKey: .lines)
        try c.encode(exchanges, forKey: .exchanges)
        try c.encode(malformed, forKey: .malformed)
        try c.encode(blank, forKey: .blank)
        try c.encode(writes, forKey: .writes)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(routes, forKey: .routes)
        try c.encode(firstTime, forKey: .firstTime)
        try c.encode(lastTime, forKey: .lastTime)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(linesPerSecond, forKey: .linesPerSecond)
        try c.encode(sources, forKey: .sources)
    }
}
