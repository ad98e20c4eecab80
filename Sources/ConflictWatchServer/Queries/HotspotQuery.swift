import ConflictWatchCore
import ConflictWatchStore

/// The hot-spots query (`hotspots --top N`, `GET /api/v1/hotspots?top=N`).
public struct HotspotQuery: Sendable, Equatable {
    public static let defaultTop = 20
    public static let path = "/api/v1/hotspots"
    public static let parameterNames = ["top"]

    public var top: Int

    public init(top: Int = defaultTop) { self.top = top }

    public init(parameters pairs: [(String, String)]) throws(QueryParameterError) {
        let p = try QueryParameters(pairs, known: Self.parameterNames)
        self.init(top: try p.count("top") ?? Self.defaultTop)
    }

    public var parameters: [(String, String)] { [("top", String(top))] }

    public func run(on store: some ResultStore) async throws -> [HotspotRow] {
        try await store.hotspots(top: top)
    }
}
