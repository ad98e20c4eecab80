/// A line that did not parse, kept as evidence (at most `SourceReport.maxSamples` per source).
public struct MalformedSample: Codable, Sendable, Equatable {
    public var line: Int
    public var reason: String
    /// The line, cut to 200 bytes, invalid UTF-8 repaired.
    public var text: String

    public init(line: Int, reason: String, text: String) {
        self.line = line
        self.reason = reason
        self.text = text
    }
}
