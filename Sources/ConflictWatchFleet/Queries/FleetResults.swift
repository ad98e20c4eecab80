import ConflictWatchCore
import ConflictWatchStore
import Logging

/// The fleet's results as a `ResultStore` (SPEC §7): what `alerts`, `hotspots`, `routes` and
/// `report` print with `--database-url`, and what a fleet agent's API and dashboard show.
/// `agent` narrows the alerts to those whose traffic came (in part) through that agent; the
/// rollups and hot spots are the fleet's either way (they are merged before any agent's part
/// could be told apart).
///
/// Its own connection, made on the first read and made again on the next read after one failed:
/// an agent's API must not queue behind the shipper's transactions, and must come back by
/// itself when PostgreSQL does. While it cannot connect every read throws
/// `ResultStoreUnavailable` (the API answers 503).
public actor FleetResults: ResultStore {
    public nonisolated let url: FleetDatabaseURL
    public nonisolated let agent: String?
    private let logger: Logger
    private var database: FleetDatabase?

    public init(url: FleetDatabaseURL, agent: String? = nil, logger: Logger) {
        self.url = url
        self.agent = agent
        self.logger = logger
    }

    /// Over a database a command has connected already (closed by the command).
    public init(database: FleetDatabase, agent: String? = nil, logger: Logger) {
        self.url = database.url
        self.agent = agent
        self.logger = logger
        self.database = database
    }

    public func close() async {
        await database?.close()
        database = nil
    }

    func read<T: Sendable>(_ body: (FleetDatabase) async throws(FleetError) -> T) async throws -> T {
        let db: FleetDatabase
        if let open = database, !open.isClosed {
            db = open
        } else {
            let connected: FleetDatabase
            do {
                connected = try await FleetDatabase.connect(url, logger: logger)
            } catch {
                throw ResultStoreUnavailable("the fleet's database is unreachable: \(error.description)")
            }
            // Another read may have connected while this one waited (the actor is reentrant
            // at the await): keep one connection, close the other rather than drop it open.
            if let other = database, !other.isClosed {
                await connected.close()
                db = other
            } else {
                database = connected
                db = connected
            }
        }
        do {
            return try await body(db)
        } catch {
            if db.isClosed { database = nil }
            throw ResultStoreUnavailable(error.description)
        }
    }

    public func alerts(_ f: AlertFilter) async throws -> [Alert] {
        let agent = self.agent
        return try await read { db throws(FleetError) in try await db.alerts(f, agent: agent) }
    }

    public func alert(id: String) async throws -> Alert? {
        try await read { db throws(FleetError) in try await db.alert(id: id) }
    }

    public func hotspots(top: Int) async throws -> [HotspotRow] {
        try await read { db throws(FleetError) in try await db.hotspots(top: top) }
    }

    public func routes(sinceMinute: Int64?, untilMinute: Int64?) async throws -> [RouteRow] {
        try await read { db throws(FleetError) in try await db.routes(sinceMinute: sinceMinute, untilMinute: untilMinute) }
    }

    public func oldestMinute() async throws -> Int64? {
        try await read { db throws(FleetError) in try await db.minuteExtent()?.oldest }
    }

    public func newestMinute() async throws -> Int64? {
        try await read { db throws(FleetError) in try await db.minuteExtent()?.newest }
    }

    public func minuteCounts(sinceMinute: Int64, untilMinute: Int64, top: Int) async throws -> [ConflictStore.MinuteCounts] {
        try await read { db throws(FleetError) in try await db.minuteCounts(sinceMinute: sinceMinute, untilMinute: untilMinute, top: top) }
    }

    public func bucketExtent() async throws -> (oldest: Int64, newest: Int64, width: Int64)? {
        try await read { db throws(FleetError) in try await db.bucketExtent() }
    }

    public func bucketCounts(since: Int64, until: Int64, top: Int) async throws -> [ConflictStore.BucketCounts] {
        try await read { db throws(FleetError) in try await db.bucketCounts(since: since, until: until, top: top) }
    }
}

/// The fleet's silences, for `silence --database-url` and a fleet agent's `/api/v1/silences`.
extension FleetResults: SilenceStore {
    public func silences(includeExpired: Bool) async throws -> [Silence] {
        try await read { db throws(FleetError) in try await db.silences(includeExpired: includeExpired) }
    }

    public func silence(id: String) async throws -> Silence? {
        try await read { db throws(FleetError) in try await db.silence(id: id) }
    }

    public func addSilence(_ silence: Silence) async throws {
        try await read { db throws(FleetError) in try await db.addSilence(silence) }
    }

    public func expireSilence(id: String) async throws -> Silence? {
        try await read { db throws(FleetError) in try await db.expireSilence(id: id) }
    }
}
