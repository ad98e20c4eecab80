import ConflictWatchCore
import ConflictWatchStore
import Foundation

/// A new silence as `silence add` and `POST /api/v1/silences` describe it (SPEC §6), with one
/// validation for both, whose messages name the field (the CLI prefixes `--`). The API body:
/// `{"matchers": {"route", "kind", "client", "resource"}, "comment", "author", "for": "2h"}`.
public struct SilenceRequest: Sendable, Equatable {
    public var route: String?
    public var kind: Alert.Kind?
    public var client: String?
    public var resource: String?
    public var comment: String
    public var author: String
    /// How long it holds from now: `90s`, `30m`, `2h`, `7d`, or sums such as `1h30m`.
    public var duration: String

    /// The endpoint; one silence is at `path/ID`.
    public static let path = "/api/v1/silences"
    /// Long enough for a planned migration; longer hides a problem for good, and SPEC's silences
    /// are for known, temporary ones (add a new one when it ends).
    public static let maxSeconds: Int64 = 90 * 86_400
    static let maxText = 1024
    static let bodyKeys = ["matchers", "comment", "author", "for"]
    static let matcherKeys = ["route", "kind", "client", "resource"]

    public init(route: String? = nil, kind: Alert.Kind? = nil, client: String? = nil, resource: String? = nil,
                comment: String, author: String, duration: String) {
        self.route = route
        self.kind = kind
        self.client = client
        self.resource = resource
        self.comment = comment
        self.author = author
        self.duration = duration
    }

    /// From a POST body; unknown keys and wrong types are errors naming the key.
    public init(json: Data) throws(QueryParameterError) {
        guard let object = try? JSONSerialization.jsonObject(with: json), let body = object as? [String: Any] else {
            throw QueryParameterError("body", "expected a JSON object such as {\"matchers\": {\"route\": \"/api/orders/*\"}, \"comment\": \"deploy\", \"author\": \"ops\", \"for\": \"2h\"}")
        }
        if let unknown = body.keys.sorted().first(where: { !Self.bodyKeys.contains($0) }) {
            throw QueryParameterError(unknown, "unknown field (known ones are \(Self.bodyKeys.joined(separator: ", ")))")
        }
        let matchers: [String: Any]
        switch body["matchers"] {
        case nil: matchers = [:]
        case let m as [String: Any]: matchers = m
        default: throw QueryParameterError("matchers", "expected an object with route, kind, client and/or resource")
        }
        if let unknown = matchers.keys.sorted().first(where: { !Self.matcherKeys.contains($0) }) {
            throw QueryParameterError("matchers.\(unknown)", "unknown matcher (known ones are \(Self.matcherKeys.joined(separator: ", ")))")
        }
        func string(_ value: Any?, _ name: String) throws(QueryParameterError) -> String? {
            switch value {
            case nil, is NSNull: return nil
            case let s as String: return s
            default: throw QueryParameterError(name, "expected a string")
            }
        }
        var kind: Alert.Kind?
        if let k = try string(matchers["kind"], "matchers.kind") {
            guard let parsed = Alert.Kind(rawValue: k) else { throw QueryParameterError("matchers.kind", "expected burst or hotspot") }
            kind = parsed
        }
        self.init(route: try string(matchers["route"], "matchers.route"), kind: kind,
                  client: try string(matchers["client"], "matchers.client"), resource: try string(matchers["resource"], "matchers.resource"),
                  comment: try string(body["comment"], "comment") ?? "", author: try string(body["author"], "author") ?? "",
                  duration: try string(body["for"], "for") ?? "")
        try validate(prefix: "matchers.")
    }

    /// The body a client POSTs.
    public var json: Data {
        var matchers: [String: String] = [:]
        if let route { matchers["route"] = route }
        if let kind { matchers["kind"] = kind.rawValue }
        if let client { matchers["client"] = client }
        if let resource { matchers["resource"] = resource }
        let body: [String: Any] = ["matchers": matchers, "comment": comment, "author": author, "for": duration]
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    /// Checks every field; `prefix` is put before the matchers' names (`matchers.` for the API).
    public func validate(prefix: String = "") throws(QueryParameterError) {
        guard route != nil || kind != nil || client != nil || resource != nil else {
            throw QueryParameterError(prefix.isEmpty ? "route" : "matchers",
                                      "give at least one matcher (route, kind, client or resource); route '*' silences every alert")
        }
        for (name, value, example) in [("route", route, "/api/orders/*"), ("client", client, "10.0.0.7"), ("resource", resource, "/api/orders/13")] {
            guard let value else { continue }
            guard !value.isEmpty, value.count <= Self.maxText, !value.contains(where: \.isNewline) else {
                throw QueryParameterError(prefix + name, "expected \(name == "client" ? "an address" : "a glob") such as \(example), one line, at most \(Self.maxText) characters")
            }
        }
        let trimmed = comment.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw QueryParameterError("comment", "required: say why (the incident, a ticket), so whoever sees the silence knows")
        }
        guard comment.count <= Self.maxText else { throw QueryParameterError("comment", "at most \(Self.maxText) characters") }
        guard !author.trimmingCharacters(in: .whitespaces).isEmpty, author.count <= 256, !author.contains(where: \.isNewline) else {
            throw QueryParameterError("author", "required: who sets the silence (one line, at most 256 characters)")
        }
        _ = try seconds()
    }

    /// `duration` in seconds, checked: more than 0, at most `maxSeconds`.
    public func seconds() throws(QueryParameterError) -> Int64 {
        guard let s = Self.parseDuration(duration) else {
            throw QueryParameterError("for", "expected a duration such as 30m, 2h, 1h30m or 7d")
        }
        guard s > 0 else { throw QueryParameterError("for", "must be longer than 0 (to end a silence, expire it)") }
        guard s <= Self.maxSeconds else {
            throw QueryParameterError("for", "at most 90d; a silence is for a known, temporary problem (add a new one when it ends)")
        }
        return s
    }

    /// `90s`, `30m`, `2h`, `7d`, `1h30m`: nil for anything else (or absurdly long).
    static func parseDuration(_ text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var total: Int64 = 0
        var digits = ""
        for ch in text {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
                guard digits.count <= 9 else { return nil }
            } else if let unit = units[ch], let n = Int64(digits) {
                total += n * unit
                digits = ""
            } else {
                return nil
            }
        }
        return digits.isEmpty && !text.isEmpty ? total : nil
    }

    /// The silence this request makes at `now` (wall-clock µs). Call `validate` first.
    public func silence(now: Int64) throws(QueryParameterError) -> Silence {
        Silence.make(matchers: .init(route: route ?? "*", kind: kind, client: client, resource: resource),
                     seconds: try seconds(), comment: comment, author: author, now: now)
    }
}
