import ConflictWatchCore
import ConflictWatchStore

/// The per-route query (`routes --since/--until`, `GET /api/v1/routes`). The window is in
/// traffic minutes: a minute is in it when it holds an instant of [since, until].
public struct RouteQuery: Sendable, Equatable {
    public static let path = "/api/v1/routes"
    public static let parameterNames = ["since", "until"]

    public var since: String?
    public var until: String?

    public init(since: String? = nil, until: String? = nil) {
        self.since = since
        self.until = until
    }

    public init(parameters pairs: [(String, String)]) throws(QueryParameterError) {
        let p = try QueryParameters(pairs, known: Self.parameterNames)
        self.init(since: try p.time("since"), until: try p.time("until"))
    }

    public var parameters: [(String, String)] {
        var out: [(String, String)] = []
        if let since { out.append(("since", since)) }
        if let until { out.append(("until", until)) }
        return out
    }

    public func window(now: Int64 = QueryTime.nowMicros()) throws(QueryParameterError) -> (sinceMinute: Int64?, untilMinute: Int64?) {
        (try AlertQuery.resolve(since, "since", now).map(QueryTime.minute),
         try AlertQuery.resolve(until, "until", now).map(QueryTime.minute))
    }

    public func run(on store: some ResultStore, now: Int64 = QueryTime.nowMicros()) async throws -> [RouteRow] {
        let w = try window(now: now)
        return try await store.routes(sinceMinute: w.sinceMinute, untilMinute: w.untilMinute)
    }
}
