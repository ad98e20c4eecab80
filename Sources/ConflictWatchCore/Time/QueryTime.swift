/// `since`/`until` values, for the CLI's flags and the API's parameters alike: a span back from
/// now (`90s`, `30m`, `1h`, `7d`) or an RFC 3339 time (`2026-11-24T10:00:00Z`), resolved to
/// microseconds since the epoch. "Now" is the wall clock of whoever resolves it.
public enum QueryTime {
    /// What a valid value looks like, for error messages.
    public static let expected = "a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z"

    /// nil when `text` is neither form, or a span so long it leaves the representable range
    /// (a query parameter must never trap the server).
    public static func micros(_ text: String, now: Int64 = nowMicros()) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last, let seconds = units[unit], let n = Int64(text.dropLast()), n >= 0 {
            let (span, overflow) = n.multipliedReportingOverflow(by: seconds * CivilTime.microsPerSecond)
            guard !overflow else { return nil }
            let (micros, under) = now.subtractingReportingOverflow(span)
            return under ? nil : micros
        }
        return Array(text.utf8).withUnsafeBytes { TimestampParser.parseISO8601($0) }
    }

    public static func nowMicros() -> Int64 { SystemClock.wallMicros() }

    /// The traffic minute holding `micros` (floor, also before 1970).
    package static func minute(_ micros: Int64) -> Int64 {
        let perMinute: Int64 = 60_000_000
        return micros >= 0 ? micros / perMinute : (micros - (perMinute - 1)) / perMinute
    }
}
