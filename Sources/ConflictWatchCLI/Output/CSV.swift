import ConflictWatchCore
import Foundation

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
