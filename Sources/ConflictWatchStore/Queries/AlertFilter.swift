import ConflictWatchCore

/// What `alerts` asks for (SPEC §2). Times are RFC 3339 UTC strings in the store's fixed width.
public struct AlertFilter: Sendable, Equatable {
    public var since: String? = nil
    public var until: String? = nil
    public var kind: Alert.Kind? = nil
    /// A glob (`*` any run, `?` one character) matched against the route.
    public var routeGlob: String? = nil
    public var client: String? = nil
    public var minSeverity: Alert.Severity? = nil
    public var openOnly = false
    /// Leaves out alerts flagged `silenced`.
    public var hideSilenced = false
    public var limit: Int? = nil

    public init() {}
}
