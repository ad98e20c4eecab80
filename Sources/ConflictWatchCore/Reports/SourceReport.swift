/// What one input (file, stdin) gave.
public struct SourceReport: Codable, Sendable, Equatable {
    public static let maxSamples = 10
    public var source: String
    public var format: String
    public var bytes: UInt64 = 0
    public var lines: UInt64 = 0
    public var blank: UInt64 = 0
    public var exchanges: UInt64 = 0
    public var malformed: UInt64 = 0
    public var malformedReasons: [String: UInt64] = [:]
    public var samples: [MalformedSample] = []
    /// Set when the source stopped early (I/O error, truncated gzip); the rest still counts.
    public var error: String? = nil
    /// Packet-level counts when the source is a capture (then `lines` counts packets); absent for logs.
    public var capture: CaptureReport? = nil

    public init(source: String, format: String) {
        self.source = source
        self.format = format
    }

    enum CodingKeys: String, CodingKey {
        case source, format, bytes, lines, blank, exchanges, malformed
        case malformedReasons = "malformed_reasons"
        case samples, error, capture
    }
}
