import ConflictWatchCore
import Foundation

/// `--since`/`--until` values: a span back from now (`90s`, `30m`, `1h`, `7d`) or an RFC 3339
/// time (`2026-11-24T10:00:00Z`), resolved to microseconds since the epoch. The parsing is
/// `QueryTime`'s, shared with the query API so both read a value the same way.
enum TimeSpec {
    static func parse(_ text: String, option: String, now: Int64 = nowMicros()) throws -> Int64 {
        guard let micros = QueryTime.micros(text, now: now) else {
            throw RuntimeFailure("\(option) \(text): expected \(QueryTime.expected)")
        }
        return micros
    }

    static func nowMicros() -> Int64 { QueryTime.nowMicros() }

    static func isValid(_ text: String) -> Bool { QueryTime.micros(text) != nil }
}
