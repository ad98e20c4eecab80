import ConflictWatchCore

/// RFC 3339 times of truth files and alerts, as traffic-time microseconds.
public enum EvaluationTime {
    public static func micros(_ text: String) -> Int64? {
        var s = text
        return s.withUTF8 { TimestampParser.parseISO8601(UnsafeRawBufferPointer($0)) }
    }
}
