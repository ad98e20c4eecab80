/// Text that came from traffic (paths, routes, user agents, clients, hosts, reasons quoting
/// them), made safe for a terminal (SPEC §10): anyone who can send a request chooses those
/// bytes, and a raw ESC or C1 CSI can retitle, clear or rewrite the operator's screen, a
/// bidi override can make a path read backwards. Every table and plain-text renderer passes
/// such text through `escape`; JSON output is escaped by its encoder instead and stays as is.
package enum TerminalText {
    /// Replaces C0 controls (tab and newline included, they would break a table's rows),
    /// DEL, C1 controls and the bidi overrides and isolates with a visible escape: `\x1b`,
    /// `\x7f`, `\u{9b}`, `\u{202e}`. Everything else, other non-ASCII text included, is kept.
    package static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            guard needsEscape(u) else {
                out.append(u)
                continue
            }
            let text: String
            switch u.value {
            case 0x09: text = "\\t"
            case 0x0A: text = "\\n"
            case 0x0D: text = "\\r"
            case 0..<0x80: text = "\\x" + hex(u.value, width: 2)
            default: text = "\\u{" + hex(u.value, width: 2) + "}"
            }
            out.append(contentsOf: text.unicodeScalars)
        }
        return String(out)
    }

    /// `escape` for a whole rendered text whose own line breaks are kept: the last guard of
    /// a plain-text renderer, for anything a field-level `escape` did not cover.
    package static func escapeLines(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0 != "\n" && needsEscape($0) }) else { return s }
        return s.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: "\n")
    }

    /// Whether the scalar must not reach a terminal raw.
    @inline(__always)
    package static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        // LRM, RLM, ALM and the embedding, override and isolate controls.
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
