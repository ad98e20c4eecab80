import ConflictWatchCore

/// What every query reads — `alerts`, `hotspots`, `routes`, `report`, the API and the
/// dashboard's charts: one server's embedded store (`ConflictStore`, below) or a fleet's
/// PostgreSQL (`FleetResults`), with the same shapes and orders, so the queries do not know
/// which (SPEC §7). Silences are not here: they belong to the store that applies them.
public protocol ResultStore: Sendable {
    /// Alerts overlapping the filter's window, oldest first (with a limit, the newest that many).
    func alerts(_ f: AlertFilter) async throws -> [Alert]
    func alert(id: String) async throws -> Alert?
    /// The latest hot-spot snapshot, best first.
    func hotspots(top: Int) async throws -> [HotspotRow]
    /// Per-route totals over the traffic minutes in the window (nil: unbounded).
    func routes(sinceMinute: Int64?, untilMinute: Int64?) async throws -> [RouteRow]
    func oldestMinute() async throws -> Int64?
    func newestMinute() async throws -> Int64?
    /// Per-minute counts of the `top` routes by conflicts (then writes, requests), in route
    /// rank, then minute order.
    func minuteCounts(sinceMinute: Int64, untilMinute: Int64, top: Int) async throws -> [ConflictStore.MinuteCounts]
    /// The stored buckets' reach (microseconds), nil when none are stored.
    func bucketExtent() async throws -> (oldest: Int64, newest: Int64, width: Int64)?
    func bucketCounts(since: Int64, until: Int64, top: Int) async throws -> [ConflictStore.BucketCounts]
}

/// Its synchronous reads are the witnesses: a command may block its own thread on them; the
/// query server hands them to Dispatch's threads instead (`StoreReader`).
extension ConflictStore: ResultStore {}

/// A result store that cannot answer now (the fleet's PostgreSQL is down): the API says 503
/// with `message`, a command prints it and exits 1.
public struct ResultStoreUnavailable: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where silences are read and written (SPEC §6): one daemon's embedded store, or the fleet's
/// PostgreSQL for the fleet's alerts. Adding or expiring one flags the open alerts it covers.
public protocol SilenceStore: Sendable {
    /// The silences in force now, or with `includeExpired` every one kept, oldest first.
    func silences(includeExpired: Bool) async throws -> [Silence]
    func silence(id: String) async throws -> Silence?
    func addSilence(_ silence: Silence) async throws
    /// Ends it now; nil when there is no such silence.
    func expireSilence(id: String) async throws -> Silence?
}
