import ConflictWatchCore
import Foundation
import GRDB
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The embedded store (SPEC §7): one SQLite database in WAL mode in the state directory.
/// One process writes (the daemon, or `analyze --state-dir`); any number of processes read.
/// WAL lets readers see the last committed state while a write is in progress, and the busy
/// timeout covers the short moments SQLite itself needs a lock (checkpointing, opening), so a
/// reader never sees "database is locked".
public final class ConflictStore: Sendable {
    public enum Mode: Sendable { case writer, reader }

    public static let defaultRetentionDays = 30
    /// How far behind the newest stored bucket the per-bucket rows are kept (6 h): the recent
    /// chart's reach; older traffic is charted from the per-minute rollups.
    public static let bucketWindowMicros: Int64 = 6 * 3600 * 1_000_000

    public let path: String
    let pool: DatabasePool
    /// A fleet agent's summaries, beside the database.
    let fleetFiles: FleetOutboxFiles
    /// The model's restart state, in files beside the store (ModelStateFiles).
    let modelFiles: ModelStateFiles
    let logger: Logger
    /// The database file's identity while this store is open (see `openInProcess`).
    private let file: FileKey?

    /// Database files this process has pools open on, by device and inode, with how many.
    /// SQLite's connections hold POSIX (fcntl) locks on the file, and POSIX drops every lock a
    /// process holds on a file when the process closes *any* descriptor of it. The raw checks
    /// before opening (create with mode 0600, read the header) open and close one, so run in a
    /// process that already has the file open — the daemon opening its API's read-only store
    /// beside its writer — they would silently unlock the writer. The next process to close its
    /// own connection (`silence add`, `sqlite3`) then believes it is the last one, checkpoints
    /// and deletes the -wal and -shm files under the daemon, whose later commits go to an
    /// unlinked file no other process sees and that is gone when it exits. So the raw checks run
    /// only for the first store of a file in a process.
    private static let openInProcess = Mutex<[FileKey: Int]>([:])

    struct FileKey: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64

        init?(path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
        }
    }

    static func isOpenInProcess(_ path: String) -> Bool {
        guard let key = FileKey(path: path) else { return false }
        return openInProcess.withLock { ($0[key] ?? 0) > 0 }
    }

    /// Opens (a writer creates and migrates) the store in `directory`.
    public convenience init(directory: String, mode: Mode, logger: Logger) throws(StoreError) {
        try self.init(directory: directory, mode: mode, logger: logger, fleetFiles: nil)
    }

    /// `fleetFiles`: the outbox's files when not the default ones (tests use small segments).
    init(directory: String, mode: Mode, logger: Logger, fleetFiles: FleetOutboxFiles?) throws(StoreError) {
        self.logger = logger
        path = StateDirectory.databasePath(in: directory)
        self.fleetFiles = fleetFiles ?? FleetOutboxFiles(storeDirectory: directory)
        modelFiles = ModelStateFiles(storeDirectory: directory)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.label = "conflictwatch"
        do {
            switch mode {
            case .writer:
                try StateDirectory.create(directory)
                if !Self.isOpenInProcess(path) {
                    try Self.createPrivateFile(path)
                    try StoreIntegrity.checkHeader(path)
                }
                pool = try DatabasePool(path: path, configuration: config)
                // Once per daemon start, before anything is written into a damaged file.
                if let problem = try pool.read(StoreIntegrity.quickCheck) {
                    throw StoreIntegrity.corrupt(path, "integrity check: \(problem)")
                }
                try StoreMigrations.migrator.migrate(pool)
                for suffix in ["-wal", "-shm"] { chmod(path + suffix, 0o600) }
            case .reader:
                guard FileManager.default.fileExists(atPath: path) else {
                    throw StoreError("no store at \(path): run `conflictwatch tail` or `analyze --state-dir \(directory)` first, or pass the --state-dir they used")
                }
                if !Self.isOpenInProcess(path) { try StoreIntegrity.checkHeader(path) }
                config.readonly = true
                pool = try DatabasePool(path: path, configuration: config)
                let applied = try pool.read { try StoreMigrations.migrator.appliedIdentifiers($0) }
                let known = Set(StoreMigrations.migrator.migrations)
                if let unknown = applied.first(where: { !known.contains($0) }) {
                    // Damage can garble the migration table too: "newer" only for a sound file.
                    if let problem = try pool.read(StoreIntegrity.quickCheck) {
                        throw StoreIntegrity.corrupt(path, "integrity check: \(problem)")
                    }
                    throw StoreError("the store at \(path) was written by a newer conflictwatch (migration \(unknown)); upgrade this binary")
                }
                if applied.isEmpty {
                    throw StoreError("the store at \(path) is not initialised yet; wait for the daemon to start, then retry")
                }
            }
        } catch {
            throw StoreIntegrity.error(error, path: path, doing: "cannot open the store")
        }
        file = FileKey(path: path)
        if let file { Self.openInProcess.withLock { $0[file, default: 0] += 1 } }
    }

    deinit {
        if let file { Self.openInProcess.withLock { $0[file, default: 1] -= 1 } }
    }

    /// SQLite gives the -wal and -shm files the mode of the database file, so creating that
    /// file 0600 first keeps all three private.
    static func createPrivateFile(_ path: String) throws(StoreError) {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError("cannot create \(path): \(String(cString: strerror(errno))); check the state directory's owner and mode")
        }
        fchmod(fd, 0o600)
        close(fd)
    }

    // MARK: - Writing

    /// Commits one flush: alerts, rollup deltas, hot spots, checkpoints and webhook outbox rows
    /// in one transaction.
    @discardableResult
    public func commit(_ batch: StoreBatch) throws(StoreError) -> CommitSummary {
        guard !batch.isEmpty else { return CommitSummary() }
        // A fleet summary's bytes go to the outbox's files before the row pointing at them is
        // committed (FleetOutboxFiles says why), and so does the model's state (ModelStateFiles).
        let fleetAt = try batch.fleetSummary.map { f throws(StoreError) in try fleetFiles.append(f.bytes) }
        let stateAt = try batch.modelState.map { state throws(StoreError) in try writeModelState(state) }
        do {
            return try pool.write { db in
                for alert in batch.alerts { try AlertRow(alert).upsert(db) }
                // One cached statement for every lookup: building the query per row cost more than
                // the rest of an offline run's commit (13,000 rows: 1.2 s).
                // The same for writing: a record's own insert builds its statement per row, which
                // was a third of a daemon's commit catching up on a day's log (13,000 rows).
                let existing = try db.cachedStatement(sql: "SELECT * FROM route_rollup WHERE minute = ? AND route = ?")
                let upsert = try db.cachedStatement(sql: """
                    INSERT INTO route_rollup (minute, route, requests, writes, conflicts, statuses, writers, resources, p50_ms, p99_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(minute, route) DO UPDATE SET requests = excluded.requests, writes = excluded.writes,
                      conflicts = excluded.conflicts, statuses = excluded.statuses, writers = excluded.writers,
                      resources = excluded.resources, p50_ms = excluded.p50_ms, p99_ms = excluded.p99_ms
                    """)
                // Minutes after the newest stored have no row to add to: a daemon catching up
                // writes thousands of those per commit, and looking each one up was a third of
                // the rollups' cost. (A minute twice in one batch is still looked up the second
                // time, to add to the first.)
                let newest = try Int64.fetchOne(db, sql: "SELECT MAX(minute) FROM route_rollup") ?? .min
                var fresh: Set<RollupKey> = []
                for delta in batch.rollups {
                    var row = delta
                    if delta.minute > newest, fresh.insert(RollupKey(minute: delta.minute, route: delta.route)).inserted {
                        // Nothing stored yet under this minute and route.
                    } else if let stored = try RouteRollup.fetchOne(existing, arguments: [delta.minute, delta.route]) {
                        row = stored
                        row.add(delta)
                    }
                    try upsert.execute(arguments: [row.minute, row.route, row.requests, row.writes, row.conflicts, row.statuses,
                                                   row.writers, row.resources, row.p50Ms, row.p99Ms])
                }
                if !batch.buckets.isEmpty { try Self.addBuckets(batch.buckets, db) }
                for (old, new) in batch.routeAliases where old != new {
                    try db.execute(
                        sql: "INSERT INTO route_alias (route, reported_as) VALUES (?, ?) ON CONFLICT(route) DO UPDATE SET reported_as = excluded.reported_as",
                        arguments: [old, new])
                }
                if let hotspots = batch.hotspots {
                    try db.execute(sql: "DELETE FROM hotspot_snapshot WHERE minute = ?", arguments: [batch.hotspotMinute])
                    for (rank, h) in hotspots.enumerated() {
                        try HotspotSnapshotRow(minute: batch.hotspotMinute, rank: rank + 1, json: RecordJSON.encode(h)).insert(db)
                    }
                }
                for (source, rows) in batch.checkpoints {
                    try SourceCheckpoint.filter(SourceCheckpoint.Columns.source == source).deleteAll(db)
                    for row in rows { try row.insert(db) }
                }
                if !batch.events.isEmpty {
                    let insert = try db.cachedStatement(
                        sql: "INSERT OR IGNORE INTO alert_event (event_id, alert_id, kind, time, sequence) VALUES (?, ?, ?, ?, ?)")
                    for e in batch.events {
                        try insert.execute(arguments: [e.eventID, e.alertID, e.kind.rawValue, CivilTime.rfc3339(e.time), e.sequence])
                    }
                }
                if let w = stateAt {
                    try db.execute(
                        sql: """
                            INSERT INTO model_state (id, snapshot, updated, file_generation, file_length, file_crc) VALUES (1, X'', ?, ?, ?, ?)
                            ON CONFLICT(id) DO UPDATE SET snapshot = excluded.snapshot, updated = excluded.updated,
                              file_generation = excluded.file_generation, file_length = excluded.file_length, file_crc = excluded.file_crc
                            """,
                        arguments: [CivilTime.rfc3339(CivilTime.nowMicros()), w.generation, w.length, Int64(w.crc)])
                }
                if let f = batch.fleetSummary, let at = fleetAt {
                    try db.execute(
                        sql: """
                            INSERT INTO fleet_outbox (clock, records, first_time, last_time, payload, segment, file_offset, length)
                            VALUES (?, ?, ?, ?, X'', ?, ?, ?)
                            """,
                        arguments: [f.clock, f.count, f.firstTime, f.lastTime, at.segment, at.offset, f.bytes.count])
                }
                return CommitSummary(webhooksDropped: try Self.insertDeliveries(batch.webhookDeliveries, capacity: batch.webhookCapacity, db))
            }
        } catch {
            throw StoreIntegrity.error(error, path: path, doing: "cannot write to the store")
        }
    }

    /// Deletes what is older than `days` before the newest traffic in the store (traffic time,
    /// so a replayed old log is kept). Open alerts are kept whatever their age. Given-up webhook
    /// deliveries go `days` after they were committed, silences `days` after they ended (wall clock).
    @discardableResult
    public func applyRetention(days: Int) throws(StoreError) -> Int {
        do {
            return try pool.write { db in
                // Given-up webhooks age by the wall clock: they are about delivery, not traffic.
                var removed = try Self.purgeGivenUpDeliveries(olderThanDays: days, db)
                // Silences too: they were set in wall-clock time, and are kept `days` after they ended.
                let silenceCutoff = CivilTime.rfc3339(CivilTime.nowMicros() - Int64(days) * 86_400 * CivilTime.microsPerSecond)
                try db.execute(sql: "DELETE FROM silence WHERE ends < ?", arguments: [silenceCutoff])
                removed += db.changesCount
                guard let newest = try Int64.fetchOne(db, sql: "SELECT MAX(minute) FROM route_rollup") else { return removed }
                let cutoffMinute = newest - Int64(days) * 1440
                let cutoffTime = CivilTime.rfc3339(cutoffMinute * 60 * CivilTime.microsPerSecond)
                try db.execute(sql: "DELETE FROM route_rollup WHERE minute < ?", arguments: [cutoffMinute])
                removed += db.changesCount
                try db.execute(sql: "DELETE FROM hotspot_snapshot WHERE minute < ?", arguments: [cutoffMinute])
                removed += db.changesCount
                try db.execute(sql: "DELETE FROM alert WHERE \"end\" IS NOT NULL AND \"end\" < ?", arguments: [cutoffTime])
                removed += db.changesCount
                return removed
            }
        } catch {
            throw StoreError("cannot apply retention to \(path): \(error)")
        }
    }

    private struct RollupKey: Hashable {
        var minute: Int64
        var route: String
    }

    /// Adds bucket deltas (a bucket cut at one flush goes on at the next) and drops the rows
    /// that fell out of the window behind the newest bucket.
    static func addBuckets(_ buckets: [RouteBucket], _ db: Database) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO route_bucket (start, width, route, requests, writes, conflicts) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(start, route) DO UPDATE SET requests = requests + excluded.requests,
              writes = writes + excluded.writes, conflicts = conflicts + excluded.conflicts, width = excluded.width
            """)
        var newest = Int64.min
        for b in buckets {
            try upsert.execute(arguments: [b.start, b.width, b.route, b.requests, b.writes, b.conflicts])
            newest = max(newest, b.start)
        }
        let stored = try Int64.fetchOne(db, sql: "SELECT MAX(start) FROM route_bucket") ?? newest
        try db.execute(sql: "DELETE FROM route_bucket WHERE start < ?", arguments: [max(stored, newest) - bucketWindowMicros])
    }

    // MARK: - Reading

    /// The model's restart state committed with the last checkpoints, if any; throws when the
    /// file the store names does not hold it (ModelStateFiles).
    public func modelState() throws(StoreError) -> [UInt8]? {
        let row = try read { db in try Row.fetchOne(db, sql: "SELECT snapshot, file_generation, file_length, file_crc FROM model_state WHERE id = 1") }
        guard let row else { return nil }
        if let w = Self.written(row) { return try modelFiles.read(w) }
        // Committed before the state moved to files (migration v9): in the row.
        return Array(row["snapshot"] as Data)
    }

    /// Writes `state` as the generation after the committed one: into the file the committed row
    /// does not name, so a commit that never happens leaves the committed state as it was.
    func writeModelState(_ state: [UInt8]) throws(StoreError) -> ModelStateFiles.Written {
        try modelFiles.write(state, generation: (try committedModelState()?.generation ?? 0) + 1)
    }

    /// What the committed row says about the state's file; nil for none.
    func committedModelState() throws(StoreError) -> ModelStateFiles.Written? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT file_generation, file_length, file_crc FROM model_state WHERE id = 1").flatMap(Self.written)
        }
    }

    private static func written(_ row: Row) -> ModelStateFiles.Written? {
        guard let generation = row["file_generation"] as Int64?, let length = row["file_length"] as Int?,
              let crc = row["file_crc"] as Int64? else { return nil }
        return ModelStateFiles.Written(generation: generation, length: length, crc: UInt32(truncatingIfNeeded: crc))
    }

    /// The events of one alert's life, in order.
    public func events(alertID: String) throws(StoreError) -> [AlertTransition] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT kind, alert_id, time, sequence FROM alert_event WHERE alert_id = ? ORDER BY sequence",
                             arguments: [alertID]).compactMap { row -> AlertTransition? in
                guard let kind = AlertTransition.Kind(rawValue: row["kind"]), let time = CivilTime.parseRFC3339(row["time"]) else { return nil }
                return AlertTransition(kind: kind, alertID: row["alert_id"], time: time, sequence: row["sequence"])
            }
        }
    }

    public func checkpoints() throws(StoreError) -> [SourceCheckpoint] {
        try read { try SourceCheckpoint.order(Column("source"), Column("current")).fetchAll($0) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw StoreIntegrity.error(error, path: path, doing: "cannot read the store")
        }
    }
}
