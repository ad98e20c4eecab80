import ConflictWatchCore

/// The query string of one request, checked against the parameters its endpoint knows: an
/// unknown name (a typo) or a name given twice is an error rather than silently ignored, since
/// either would return a different answer than the operator asked for.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ pairs: [(String, String)], known: [String]) throws(QueryParameterError) {
        for (name, value) in pairs {
            guard known.contains(name) else {
                let list = known.isEmpty ? "this endpoint takes none" : "known ones are " + known.joined(separator: ", ")
                throw QueryParameterError(name, "unknown query parameter (\(list))")
            }
            guard values[name] == nil else { throw QueryParameterError(name, "given more than once") }
            values[name] = value
        }
    }

    func text(_ name: String, expected: String) throws(QueryParameterError) -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty else { throw QueryParameterError(name, "expected \(expected)") }
        return value
    }

    func time(_ name: String) throws(QueryParameterError) -> String? {
        guard let value = try text(name, expected: QueryTime.expected) else { return nil }
        guard QueryTime.micros(value) != nil else { throw QueryParameterError(name, "expected \(QueryTime.expected)") }
        return value
    }

    func count(_ name: String) throws(QueryParameterError) -> Int? {
        let expected = "a whole number ≥ 1"
        guard let value = try text(name, expected: expected) else { return nil }
        guard let n = Int(value), n >= 1 else { throw QueryParameterError(name, "expected \(expected)") }
        return n
    }

    /// `open=true|false|1|0`; a bare `open` (no value) means true, as the CLI's `--open` flag.
    func flag(_ name: String) throws(QueryParameterError) -> Bool {
        guard let value = values[name] else { return false }
        switch value.lowercased() {
        case "", "true", "1": return true
        case "false", "0": return false
        default: throw QueryParameterError(name, "expected true, false, 1 or 0")
        }
    }

    func choice<T: RawRepresentable>(_ name: String, _ cases: [T]) throws(QueryParameterError) -> T? where T.RawValue == String {
        let names = cases.map(\.rawValue)
        let expected = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        guard let value = try text(name, expected: expected) else { return nil }
        guard let choice = T(rawValue: value) else { throw QueryParameterError(name, "expected \(expected)") }
        return choice
    }
}
