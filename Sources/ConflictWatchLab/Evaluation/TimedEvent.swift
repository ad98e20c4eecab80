import ConflictWatchCore

/// A truth event with its times parsed, as the matcher uses it.
public struct TimedEvent: Sendable, Equatable {
    public var event: GroundTruth.Event
    public var start: Int64
    public var end: Int64
    public var peak: Int64?
    /// Hot spots: the first concurrent writes (see `GroundTruth.Event.onset`).
    public var onset: Int64?

    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ e: GroundTruth.Event) throws(FormatError) {
        func time(_ s: String, _ field: String) throws(FormatError) -> Int64 {
            guard let t = EvaluationTime.micros(s) else {
                throw FormatError(description: "truth event \(e.id): \(field) \"\(s)\" is not an RFC 3339 time")
            }
            return t
        }
        event = e
        start = try time(e.start, "start")
        end = try time(e.end, "end")
        peak = try e.peak.map { s throws(FormatError) in try time(s, "peak") }
        onset = try e.onset.map { s throws(FormatError) in try time(s, "onset") }
        guard end >= start else { throw FormatError(description: "truth event \(e.id): end is before start") }
    }

    public var isHotspot: Bool { event.kind == "hotspot" }
}
