import ConflictWatchCore

/// A request's query string as name/value pairs, percent-decoded strictly: `%` must be followed
/// by two hex digits and the decoded bytes must be UTF-8. Hummingbird keeps a value it cannot
/// decode as written, so `route=%ZZ%` would be matched as the literal glob `%ZZ%`; here it is a
/// 400 naming the parameter. `+` stays `+` (the CLI's client encodes a space as %20).
enum QueryString {
    static func pairs(_ query: String?) throws(QueryParameterError) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        var out: [(String, String)] = []
        for component in query.split(separator: "&", omittingEmptySubsequences: true) {
            let rawName: Substring
            let rawValue: Substring
            if let equals = component.firstIndex(of: "=") {
                rawName = component[..<equals]
                rawValue = component[component.index(after: equals)...]
            } else {
                rawName = component
                rawValue = ""
            }
            guard let name = decode(rawName) else {
                throw QueryParameterError(String(rawName), "the name has invalid percent-encoding (% must be followed by two hex digits)")
            }
            guard let value = decode(rawValue) else {
                throw QueryParameterError(name, "invalid percent-encoding (% must be followed by two hex digits, and the bytes must be UTF-8)")
            }
            out.append((name, value))
        }
        return out
    }

    /// The decoded text, or nil when a `%` is not followed by two hex digits or the bytes are
    /// not UTF-8.
    static func decode(_ text: Substring) -> String? {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
