import Foundation

/// The JSON of the query commands and of the API (SPEC §9: the same bytes for the same query):
/// keys sorted, indented, slashes unescaped (routes read as written), one trailing newline.
public enum QueryJSON {
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
