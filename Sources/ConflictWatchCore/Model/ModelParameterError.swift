import Foundation

/// A model value that is not allowed: the key, the value and the allowed range when there is
/// one (SPEC §10).
public struct ModelParameterError: Error, CustomStringConvertible, Sendable {
    /// The key as written in the file (`routes.max_routes`); nil when the file is no JSON object.
    public var key: String?
    public var description: String

    public init(key: String?, message: String) {
        self.key = key
        description = key.map { "\($0): \(message)" } ?? message
    }

    public init(key: String, value: String, allowed: String, why: String) {
        self.key = key
        description = "\(key) = \(value) is outside the allowed range \(allowed) (\(why))"
    }

    /// A value of the wrong type or a number that does not fit, named by its key path.
    public init(decodingError e: DecodingError) {
        func path(_ c: DecodingError.Context) -> String? {
            let keys = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            let trimmed = keys.hasPrefix(".") ? String(keys.dropFirst()) : keys
            return trimmed.isEmpty ? nil : trimmed.replacingOccurrences(of: ".[", with: "[")
        }
        switch e {
        case .typeMismatch(let type, let c):
            self.init(key: path(c), message: "expected \(Self.describe(type)) (\(c.debugDescription))")
        case .valueNotFound(let type, let c):
            self.init(key: path(c), message: "expected \(Self.describe(type)), found null")
        case .keyNotFound(let k, let c):
            self.init(key: path(c), message: "missing \(k.stringValue)")
        case .dataCorrupted(let c):
            // A number that does not fit its type (1.5 or 1e30 for a count) lands here.
            self.init(key: path(c), message: path(c) == nil ? "not valid JSON (\(Self.underlying(c)))" : "\(c.debugDescription); expected a whole number in range")
        @unknown default:
            self.init(key: nil, message: "\(e)")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "a whole number"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [String].Type: return "a list of strings"
        case is [Int].Type: return "a list of whole numbers"
        default: return "\(type)"
        }
    }

    static func underlying(_ c: DecodingError.Context) -> String {
        c.underlyingError.map { "\($0)" } ?? c.debugDescription
    }
}
