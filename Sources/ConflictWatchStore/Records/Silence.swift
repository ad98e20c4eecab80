import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A silence (SPEC §6, as operators know them from Alertmanager): matchers, who set it and why,
/// and the wall-clock span it holds for. An alert it matches while both are active is still
/// detected and stored, flagged `silenced`, but sends no webhook and does not count as open.
/// Times are RFC 3339 UTC (`…Z`, microseconds), wall clock: "quiet this for 2 h" means from
/// now, whatever the traffic's own timestamps say.
public struct Silence: Codable, Sendable, Equatable {
    /// Every matcher given must match; absent ones match anything.
    public struct Matchers: Codable, Sendable, Equatable {
        /// Glob (`*` any run, `/` included; `?` one character; `[…]` a set) on the route template.
        public var route: String
        public var kind: Alert.Kind?
        /// Exact client address.
        public var client: String?
        /// Glob on the concrete resource path.
        public var resource: String?

        public init(route: String = "*", kind: Alert.Kind? = nil, client: String? = nil, resource: String? = nil) {
            self.route = route
            self.kind = kind
            self.client = client
            self.resource = resource
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(route, forKey: .route)
            try c.encode(kind, forKey: .kind)
            try c.encode(client, forKey: .client)
            try c.encode(resource, forKey: .resource)
        }

        enum CodingKeys: String, CodingKey { case route, kind, client, resource }
    }

    /// `s-` and 12 hex digits of randomness: short enough to type, unique in practice.
    public var id: String
    public var matchers: Matchers
    public var comment: String
    public var author: String
    public var created: String
    public var starts: String
    public var ends: String
    /// `ends` has passed (or the silence was expired by hand, which sets `ends` to that moment);
    /// computed when read.
    public var expired: Bool

    public init(id: String, matchers: Matchers, comment: String, author: String, created: String, starts: String, ends: String,
                expired: Bool = false) {
        self.id = id
        self.matchers = matchers
        self.comment = comment
        self.author = author
        self.created = created
        self.starts = starts
        self.ends = ends
        self.expired = expired
    }

    /// A new silence from now (wall-clock µs) for `seconds`, with a fresh id.
    public static func make(matchers: Matchers, seconds: Int64, comment: String, author: String, now: Int64) -> Silence {
        var rng = SystemRandomNumberGenerator()
        let bits = rng.next() & 0xFFFF_FFFF_FFFF
        let hex = String(bits, radix: 16)
        let id = "s-" + String(repeating: "0", count: 12 - hex.count) + hex
        let start = CivilTime.rfc3339(now)
        return Silence(id: id, matchers: matchers, comment: comment, author: author, created: start, starts: start,
                       ends: CivilTime.rfc3339(now + seconds * CivilTime.microsPerSecond))
    }

    /// In force at `now` (the fixed-width times compare as text).
    public func isActive(at now: String) -> Bool {
        starts <= now && now < ends
    }

    /// Whether the matchers cover `alert`, regardless of time. Client and resource are matched
    /// against the alert's own `client`/`resource`; an alert without one (a route-wide burst, a
    /// route's grouped hot spots) is covered only when every client or resource it lists is, so a
    /// silence for one object never hides an alert that also names others.
    public func matches(_ alert: Alert) -> Bool {
        guard Self.glob(matchers.route, alert.route) else { return false }
        if let kind = matchers.kind, kind != alert.kind { return false }
        if let client = matchers.client {
            let named = alert.client.map { [$0] } ?? alert.topClients.map(\.client)
            guard !named.isEmpty, named.allSatisfy({ $0 == client }) else { return false }
        }
        if let resource = matchers.resource {
            let named = alert.resource.map { [$0] } ?? alert.topResources.map(\.resource)
            guard !named.isEmpty, named.allSatisfy({ Self.glob(resource, $0) }) else { return false }
        }
        return true
    }

    /// Shell-style glob without path semantics (`*` crosses `/`), as `alerts --route` does.
    public static func glob(_ pattern: String, _ text: String) -> Bool {
        pattern == "*" || pattern == text || fnmatch(pattern, text, 0) == 0
    }
}
