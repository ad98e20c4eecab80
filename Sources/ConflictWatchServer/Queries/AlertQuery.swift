import ConflictWatchCore
import ConflictWatchStore

/// The alerts query (SPEC §2 `alerts`, SPEC §9 `GET /api/v1/alerts`): one definition of the
/// filters, their parameter names and their time semantics, for the CLI, the API and the CLI's
/// `--server` client alike. Times are kept as given (`1h` or RFC 3339) and resolved when run.
public struct AlertQuery: Sendable, Equatable {
    public var since: String?
    public var until: String?
    public var kind: Alert.Kind?
    /// A glob (`*`, `?`) matched against the route.
    public var route: String?
    public var client: String?
    public var minSeverity: Alert.Severity?
    public var open: Bool
    public var limit: Int?
    /// Leaves out alerts flagged `silenced` (listed, flagged, by default).
    public var hideSilenced: Bool

    /// The endpoint; one alert is at `path/ID`.
    public static let path = "/api/v1/alerts"
    public static let parameterNames = ["since", "until", "kind", "route", "client", "min_severity", "open", "limit", "hide_silenced"]

    public init(since: String? = nil, until: String? = nil, kind: Alert.Kind? = nil, route: String? = nil, client: String? = nil,
                minSeverity: Alert.Severity? = nil, open: Bool = false, limit: Int? = nil, hideSilenced: Bool = false) {
        self.since = since
        self.until = until
        self.kind = kind
        self.route = route
        self.client = client
        self.minSeverity = minSeverity
        self.open = open
        self.limit = limit
        self.hideSilenced = hideSilenced
    }

    /// From a request's query parameters (names as in `parameterNames`).
    public init(parameters pairs: [(String, String)]) throws(QueryParameterError) {
        let p = try QueryParameters(pairs, known: Self.parameterNames)
        self.init(
            since: try p.time("since"), until: try p.time("until"), kind: try p.choice("kind", [Alert.Kind.burst, .hotspot]),
            route: try p.text("route", expected: "a route glob such as /api/orders/*"),
            client: try p.text("client", expected: "a client address"),
            minSeverity: try p.choice("min_severity", Alert.Severity.allCases), open: try p.flag("open"), limit: try p.count("limit"),
            hideSilenced: try p.flag("hide_silenced"))
    }

    /// The query parameters that ask a server for this query (only the ones set).
    public var parameters: [(String, String)] {
        var out: [(String, String)] = []
        if let since { out.append(("since", since)) }
        if let until { out.append(("until", until)) }
        if let kind { out.append(("kind", kind.rawValue)) }
        if let route { out.append(("route", route)) }
        if let client { out.append(("client", client)) }
        if let minSeverity { out.append(("min_severity", minSeverity.rawValue)) }
        if open { out.append(("open", "true")) }
        if let limit { out.append(("limit", String(limit))) }
        if hideSilenced { out.append(("hide_silenced", "true")) }
        return out
    }

    /// The store filter, with `since`/`until` resolved against `now`.
    public func filter(now: Int64 = QueryTime.nowMicros()) throws(QueryParameterError) -> AlertFilter {
        var f = AlertFilter()
        f.since = try Self.resolve(since, "since", now).map(CivilTime.rfc3339)
        f.until = try Self.resolve(until, "until", now).map(CivilTime.rfc3339)
        f.kind = kind
        f.routeGlob = route
        f.client = client
        f.minSeverity = minSeverity
        f.openOnly = open
        f.limit = limit
        f.hideSilenced = hideSilenced
        return f
    }

    public func run(on store: some ResultStore, now: Int64 = QueryTime.nowMicros()) async throws -> [Alert] {
        try await store.alerts(filter(now: now))
    }

    static func resolve(_ text: String?, _ name: String, _ now: Int64) throws(QueryParameterError) -> Int64? {
        guard let text else { return nil }
        guard let micros = QueryTime.micros(text, now: now) else { throw QueryParameterError(name, "expected \(QueryTime.expected)") }
        return micros
    }
}
