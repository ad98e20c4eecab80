import ConflictWatchCore
import ConflictWatchServer
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

/// CSV fields quoted when they need it (RFC 4180).
enum CSV {
    /// Control characters are escaped here too: CSV is read on terminals as often as by
    /// programs, and the exact bytes are in `--format json`.
    static func field(_ raw: String) -> String {
        let s = TerminalText.escape(raw)
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }
}
