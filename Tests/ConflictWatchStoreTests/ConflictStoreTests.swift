import ConflictWatchCore
import Foundation
import GRDB
import Logging
import Testing
@testable import ConflictWatchStore

/// The embedded store against a real SQLite file in a temporary directory.
@Suite final class ConflictStoreTests {
    let dir: String
    let logger = Logger(label: "test")

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-store-\(UUID().uuidString.prefix(8))").path
    }

    // A suite instance per test: its directory goes with it.
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    static func alert(_ id: String, kind: Alert.Kind = .burst, severity: Alert.Severity = .high, route: String = "/api/orders/{id}",
                      client: String? = "10.0.0.1", start: String, end: String? = nil) throws -> Alert {
        let json = """
            {"id":"\(id)","kind":"\(kind.rawValue)","class":["single_client"],"severity":"\(severity.rawValue)",
             "route":"\(route)","resource":null,"client":\(client.map { "\"\($0)\"" } ?? "null"),"statuses":{"409":3},
             "start":"\(start)","end":\(end.map { "\"\($0)\"" } ?? "null"),"peak_count":3,"expected":0.5,"score":9.1,
             "probability":null,"top_clients":[],"top_resources":[],"samples":[],"reason":"test"}
            """
        return try JSONDecoder().decode(Alert.self, from: Data(json.utf8))
    }

    @Test func migratesOnceAndKeepsFilesPrivate() throws {
        _ = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let again = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let applied = try again.read { try StoreMigrations.migrator.appliedIdentifiers($0) }
        #expect(applied == Set(StoreMigrations.migrator.migrations))
        let mode = try FileManager.default.attributesOfItem(atPath: again.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
        let journal = try again.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(journal == "wal")
    }

    @Test func readerWithoutStoreSaysWhatToDo() {
        #expect(throws: StoreError.self) { try ConflictStore(directory: dir + "/none", mode: .reader, logger: logger) }
        do {
            _ = try ConflictStore(directory: dir + "/none", mode: .reader, logger: logger)
        } catch {
            #expect(error.description.contains("conflictwatch tail"))
        }
    }

    @Test func alertFiltersAndUpsert() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var batch = StoreBatch()
        batch.alerts = [
            try Self.alert("a1", severity: .low, start: "2026-11-24T09:00:00.000000Z", end: "2026-11-24T09:01:00.000000Z"),
            try Self.alert("a2", kind: .hotspot, severity: .critical, route: "/api/users/{id}", client: nil, start: "2026-11-24T10:00:00.000000Z"),
            try Self.alert("a3", severity: .medium, client: "10.0.0.2", start: "2026-11-24T11:00:00.000000Z", end: "2026-11-24T11:05:00.000000Z"),
        ]
        try store.commit(batch)
        func ids(_ f: AlertFilter) throws -> [String] { try store.alerts(f).map(\.id) }
        #expect(try ids(AlertFilter()) == ["a1", "a2", "a3"])
        var f = AlertFilter(); f.kind = .hotspot
        #expect(try ids(f) == ["a2"])
        f = AlertFilter(); f.routeGlob = "/api/orders/*"
        #expect(try ids(f) == ["a1", "a3"])
        f = AlertFilter(); f.minSeverity = .medium
        #expect(try ids(f) == ["a2", "a3"])
        f = AlertFilter(); f.openOnly = true
        #expect(try ids(f) == ["a2"])
        f = AlertFilter(); f.client = "10.0.0.2"
        #expect(try ids(f) == ["a3"])
        f = AlertFilter(); f.since = "2026-11-24T09:30:00.000000Z"
        #expect(try ids(f) == ["a2", "a3"], "a1 ended before the window")
        f = AlertFilter(); f.until = "2026-11-24T10:30:00.000000Z"; f.limit = 1
        #expect(try ids(f) == ["a2"], "a limit keeps the newest")
        f = AlertFilter(); f.limit = 2
        #expect(try ids(f) == ["a2", "a3"], "the newest two, oldest first")
        // A hostile glob is a value, not SQL.
        f = AlertFilter(); f.routeGlob = "x' OR 1=1 --"
        #expect(try ids(f).isEmpty)

        // The same id again replaces the row (an alert closing).
        batch = StoreBatch()
        batch.alerts = [try Self.alert("a2", kind: .hotspot, severity: .critical, route: "/api/users/{id}", client: nil,
                                       start: "2026-11-24T10:00:00.000000Z", end: "2026-11-24T10:10:00.000000Z")]
        try store.commit(batch)
        #expect(try store.alert(id: "a2")?.end == "2026-11-24T10:10:00.000000Z")
        f = AlertFilter(); f.openOnly = true
        #expect(try ids(f).isEmpty)
    }

    @Test func rollupsAddUpAndRetentionKeepsRecentAndOpen() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let day: Int64 = 1440
        let now: Int64 = 29_000_000
        func rollup(_ minute: Int64, _ route: String, _ requests: Int64, _ conflicts: Int64) -> RouteRollup {
            RouteRollup(minute: minute, route: route, requests: requests, writes: requests, conflicts: conflicts,
                        statuses: ["200": requests - conflicts, "409": conflicts], writers: 2, resources: 3, p50Ms: 1, p99Ms: 2)
        }
        var batch = StoreBatch()
        batch.rollups = [rollup(now - 40 * day, "/old", 5, 0), rollup(now, "/a", 10, 2), rollup(now, "/b", 4, 0)]
        batch.alerts = [
            try Self.alert("old-closed", start: CivilTime.rfc3339((now - 40 * day) * 60_000_000), end: CivilTime.rfc3339((now - 40 * day + 1) * 60_000_000)),
            try Self.alert("old-open", start: CivilTime.rfc3339((now - 40 * day) * 60_000_000)),
        ]
        try store.commit(batch)
        batch = StoreBatch()
        // A stored minute gets more; a minute after the newest stored comes twice in one batch.
        batch.rollups = [rollup(now, "/a", 6, 1), rollup(now + 1, "/a", 7, 0), rollup(now + 1, "/a", 1, 1)]
        try store.commit(batch)
        var rows = try store.routes()
        #expect(rows.map(\.route) == ["/a", "/old", "/b"], "by conflicts, then writes")
        #expect(rows[0].requests == 24 && rows[0].conflicts == 4 && rows[0].statuses == ["200": 20, "409": 4])
        #expect(try store.routes(sinceMinute: now + 1).first?.requests == 8, "the two deltas of one new minute add up")
        rows = try store.routes(sinceMinute: now - 1)
        #expect(rows.map(\.route) == ["/a", "/b"])

        let removed = try store.applyRetention(days: 30)
        #expect(removed == 2)
        #expect(try store.routes().map(\.route) == ["/a", "/b"])
        #expect(try store.alerts(AlertFilter()).map(\.id) == ["old-open"])
    }

    /// Rows written under a route's old name are read under the name it was renamed to.
    @Test func renamedRoutesAreReadUnderTheirNewName() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        func rollup(_ route: String, _ n: Int64) -> RouteRollup {
            RouteRollup(minute: 5, route: route, requests: n, writes: n, conflicts: 0, statuses: ["200": n],
                        writers: 1, resources: 1, p50Ms: nil, p99Ms: nil)
        }
        var batch = StoreBatch()
        batch.rollups = [rollup("/carts/x1", 2), rollup("/carts/y2", 3)]
        try store.commit(batch)
        batch = StoreBatch()
        batch.rollups = [rollup("/carts/{var}", 4)]
        batch.routeAliases = ["/carts/x1": "/carts/{var}", "/carts/y2": "/carts/{var}"]
        try store.commit(batch)
        let rows = try store.routes()
        #expect(rows.map(\.route) == ["/carts/{var}"])
        #expect(rows.first?.requests == 9)
        #expect(rows.first?.statuses == ["200": 9])
    }

    @Test func hotspotSnapshotsLatestMinuteWins() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        func row(_ r: String, _ p: Double) throws -> HotspotRow {
            try JSONDecoder().decode(HotspotRow.self, from: Data("""
                {"resource":"\(r)","route":"/r/{id}","probability":\(p),"write_rate":1,"writers":2,"edit_window_ms":100,"conflicts":1,"since":"2026-11-24T09:00:00.000000Z"}
                """.utf8))
        }
        var batch = StoreBatch()
        batch.hotspots = [try row("/r/1", 0.9), try row("/r/2", 0.5)]
        batch.hotspotMinute = 10
        try store.commit(batch)
        batch.hotspots = [try row("/r/3", 0.7)]
        batch.hotspotMinute = 11
        try store.commit(batch)
        #expect(try store.hotspots(top: 5).map(\.resource) == ["/r/3"])
    }

    @Test func checkpointsReplacePerSource() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        var batch = StoreBatch()
        batch.checkpoints["/l/a.log"] = [
            SourceCheckpoint(source: "/l/a.log", device: 1, inode: 2, path: "/l/a.log.1", offset: 10, line: 1, current: false, updated: "t"),
            SourceCheckpoint(source: "/l/a.log", device: 1, inode: 3, path: "/l/a.log", offset: 20, line: 2, current: true, updated: "t"),
        ]
        try store.commit(batch)
        batch.checkpoints["/l/a.log"] = [
            SourceCheckpoint(source: "/l/a.log", device: 1, inode: 3, path: "/l/a.log", offset: 30, line: 3, current: true, updated: "t"),
        ]
        try store.commit(batch)
        let rows = try store.checkpoints()
        #expect(rows.count == 1 && rows[0].inode == 3 && rows[0].offset == 30)
    }

    /// A second connection (as another process would open) reads while the writer commits
    /// continuously: no "database is locked", and every read sees a whole commit.
    @Test func readerNeverBlockedWhileWriting() async throws {
        let writer = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let reader = try ConflictStore(directory: dir, mode: .reader, logger: logger)
        let commits = 300
        async let written: Void = {
            for i in 0..<commits {
                var batch = StoreBatch()
                batch.rollups = [
                    RouteRollup(minute: Int64(i), route: "/a", requests: 1, writes: 0, conflicts: 0, statuses: ["200": 1], writers: 1, resources: 1, p50Ms: nil, p99Ms: nil),
                    RouteRollup(minute: Int64(i), route: "/b", requests: 1, writes: 0, conflicts: 0, statuses: ["200": 1], writers: 1, resources: 1, p50Ms: nil, p99Ms: nil),
                ]
                try writer.commit(batch)
            }
        }()
        var reads = 0
        var last: UInt64 = 0
        for _ in 0..<2000 {
            let rows = try reader.routes()
            let a = rows.first { $0.route == "/a" }?.requests ?? 0
            let b = rows.first { $0.route == "/b" }?.requests ?? 0
            #expect(a == b, "a read saw half a commit")
            #expect(a >= last)
            last = a
            reads += 1
            if a == UInt64(commits) { break }
        }
        try await written
        #expect(try reader.routes().first?.requests == UInt64(commits))
        #expect(reads > 1)
    }
}
