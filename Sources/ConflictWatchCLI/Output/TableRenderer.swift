import ConflictWatchCore

/// Aligned text tables for humans (stdout). Numbers right-aligned, text left-aligned. Every
/// cell has its control characters escaped (SPEC §10): cells hold routes, clients and
/// resources that came from traffic, and a tab or newline would break the table too.
struct TableRenderer {
    enum Alignment { case left, right }
    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func add(_ row: [String]) { rows.append(row.map(TerminalText.escape)) }

    func render() -> String {
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, c) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                parts.append(alignments[i] == .right ? pad + c : c + pad)
            }
            var s = parts.joined(separator: "  ")
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        var out = line(headers) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }

    /// The lines under a table that say what its columns mean, one column a line, aligned.
    static func legend(_ entries: [(column: String, meaning: String)]) -> String {
        let width = entries.map(\.column.count).max() ?? 0
        return entries.map { "  " + $0.column + String(repeating: " ", count: width - $0.column.count) + "  " + $0.meaning + "\n" }.joined()
    }
}
