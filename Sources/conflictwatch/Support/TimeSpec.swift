import ConflictWatchCore
import Foundation

/// `--since`/`--until` values: a span back from now (`90s`, `30m`, `1h`, `7d`) or an RFC 3339
/// time (`2026-11-24T10:00:00Z`). Resolved to microseconds since the epoch.
enum TimeSpec {
    static func parse(_ text: String, option: String, now: Int64 = nowMicros()) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last, let seconds = units[unit], let n = Int64(text.dropLast()), n >= 0 {
            return now - n * seconds * 1_000_000
        }
        let micros = Array(text.utf8).withUnsafeBytes { TimestampParser.parseISO8601($0) }
        guard let micros else {
            throw RuntimeFailure("\(option) \(text): expected a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z")
        }
        return micros
    }

    static func nowMicros() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000_000) }

    static func isValid(_ text: String) -> Bool { (try? parse(text, option: "")) != nil }
}

/// CSV fields quoted when they need it (RFC 4180).
enum CSV {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }
}
