import ConflictWatchCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Testing
@testable import ConflictWatchFleet

/// The fleet's PostgreSQL side against a real server (`make test` starts one:
/// scripts/with_postgres.sh sets CONFLICTWATCH_TEST_DATABASE_URL), each test in a database of
/// its own.
@Suite struct FleetDatabaseTests {
    static let logger = Logger(label: "fleet-test") { _ in SwiftLogNoOpLogHandler() }

    /// A new, empty database on the test server, or nil with an issue recorded.
    static func freshDatabase(_ name: String) async throws -> FleetDatabaseURL? {
        guard let text = ProcessInfo.processInfo.environment["CONFLICTWATCH_TEST_DATABASE_URL"], !text.isEmpty else {
            Issue.record("no PostgreSQL: run the tests with `make test` (scripts/with_postgres.sh starts one and sets CONFLICTWATCH_TEST_DATABASE_URL)")
            return nil
        }
        let base = try FleetDatabaseURL(text)
        let admin = try await FleetDatabase.connect(base, logger: logger)
        defer { Task { await admin.close() } }
        let db = "\(name)_\(UInt32.random(in: 0...UInt32.max))"
        try await admin.connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(db)"), logger: logger)
        var url = base
        url.database = db
        return url
    }

    @Test func theMigrationListOnlyGrowsAtItsEnd() {
        // Released fleet migrations; a change is a new name at the end (an agent that finds one
        // it does not know refuses to run, so renaming one would stop every older agent).
        let released = ["v1-fleet-streams-summaries-results", "v2-fleet-route-buckets", "v3-fleet-silences", "v4-fleet-webhook-outbox",
                        "v5-fleet-summary-lz4", "v6-fleet-state-lz4", "v7-fleet-summary-cwf2", "v8-fleet-summary-cwf3"]
        let current = FleetMigrations.all.map(\.name)
        #expect(Array(current.prefix(released.count)) == released, "a released fleet migration was renamed, removed or moved")
        #expect(current.count == released.count, "a new fleet migration: append its name to `released` above")
    }

    @Test func migratesOnceAndAgainIsANoOp() async throws {
        guard let url = try await Self.freshDatabase("migrate") else { return }
        let first = try await FleetDatabase.connect(url, logger: Self.logger)
        #expect(try await first.appliedMigrations() == FleetMigrations.all.map(\.name).sorted())
        await first.close()
        let second = try await FleetDatabase.connect(url, logger: Self.logger)
        #expect(try await second.appliedMigrations() == FleetMigrations.all.map(\.name).sorted())
        await second.close()
    }

    /// pglz cost the server three times lz4's CPU on the summaries (docs/fleet.md); Debian's
    /// PostgreSQL, which the tests run, has lz4, so the summaries stored must be lz4.
    @Test func summariesAndTheModelStateAreStoredLZ4Compressed() async throws {
        guard let url = try await Self.freshDatabase("lz4") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await db.close() } }
        let payload = ByteBuffer(bytes: Array(String(repeating: "10.0.0.7 PUT /api/orders/13 409\n", count: 2000).utf8))
        try await db.connection.query("""
            INSERT INTO fleet_summary (agent, incarnation, seq, clock, records, payload) VALUES ('web1', 'i1', 1, 0, 0, \(payload))
            """, logger: Self.logger)
        var method = ""
        for try await m in try await db.connection.query("SELECT pg_column_compression(payload) FROM fleet_summary", logger: Self.logger)
            .decode(String.self) { method = m }
        #expect(method == "lz4")
        // The aggregator's model state, rewritten with every commit, likewise.
        try await db.commit(.init(state: .init(model: Array(payload.readableBytesView), positions: [:], watermark: 0, holder: "web1")))
        var stateMethod = ""
        for try await m in try await db.connection.query("SELECT pg_column_compression(model) FROM fleet_state", logger: Self.logger)
            .decode(String.self) { stateMethod = m }
        #expect(stateMethod == "lz4")
    }

    @Test func anAgentRefusesASchemaNewerThanItKnows() async throws {
        guard let url = try await Self.freshDatabase("newer") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        try await db.connection.query("INSERT INTO conflictwatch_migrations (name) VALUES ('v99-from-a-newer-agent')", logger: Self.logger)
        await db.close()
        do {
            let again = try await FleetDatabase.connect(url, logger: Self.logger)
            await again.close()
            Issue.record("an agent connected to a schema with a migration it does not know")
        } catch {
            #expect(error.fatal, "retrying cannot help: the agent stops")
            #expect(error.description.contains("v99-from-a-newer-agent") && error.description.contains("Upgrade this agent"))
        }
    }

    /// PostgresNIO never fails a statement written to a connection the server has closed (it
    /// waits forever); `FleetDatabase.run` must answer anyway, within a watcher's poll, so an
    /// agent reconnects after a PostgreSQL restart instead of hanging.
    @Test(.timeLimit(.minutes(1))) func aStatementOnAConnectionTheServerClosedFailsAtOnce() async throws {
        guard let url = try await Self.freshDatabase("closed") else { return }
        let db = try await FleetDatabase.connect(url, logger: Self.logger)
        let other = try await FleetDatabase.connect(url, logger: Self.logger)
        defer { Task { await other.close() } }
        _ = try await db.streams()
        try await other.connection.query("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()
            """, logger: Self.logger)
        let started = ContinuousClock.now
        var failed: FleetError?
        // The first statement may race the server's goodbye; within a few tries it must fail.
        for _ in 0..<20 {
            do throws(FleetError) {
                _ = try await db.streams()
                try? await Task.sleep(for: .milliseconds(50))
            } catch {
                failed = error
                break
            }
        }
        let waited = ContinuousClock.now - started
        #expect(failed != nil, "statements on a terminated connection kept succeeding")
        #expect(waited < .seconds(5), "failing took \(waited): the watcher did not see the connection close")
        #expect(failed?.fatal == false, "a lost connection is retried, not fatal")
        await db.close()
    }

    /// TLS to PostgreSQL as libpq does it, against the test server's self-signed certificate
    /// (scripts/with_postgres.sh: CN and SAN localhost).
    @Test(.timeLimit(.minutes(1))) func tlsIsUsedAndCheckedAsTheURLSays() async throws {
        guard let plain = try await Self.freshDatabase("tls") else { return }
        guard let root = ProcessInfo.processInfo.environment["CONFLICTWATCH_TEST_PG_ROOTCERT"] else {
            Issue.record("no CONFLICTWATCH_TEST_PG_ROOTCERT: run the tests with `make test` (scripts/with_postgres.sh)")
            return
        }
        func encrypted(_ url: FleetDatabaseURL) async throws -> Bool {
            let db = try await FleetDatabase.connect(url, logger: Self.logger)
            defer { Task { await db.close() } }
            for try await ssl in try await db.connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Self.logger)
                .decode(Bool.self) {
                return ssl
            }
            return false
        }
        var url = plain
        url.host = "localhost"
        #expect(try await encrypted(url) == false, "sslmode=disable")
        for mode in [FleetDatabaseURL.TLSMode.prefer, .require] {
            url.tls = mode
            #expect(try await encrypted(url), "sslmode=\(mode.rawValue): the server offers TLS")
        }
        url.rootCertificate = root
        for mode in [FleetDatabaseURL.TLSMode.verifyCA, .verifyFull] {
            url.tls = mode
            #expect(try await encrypted(url), "sslmode=\(mode.rawValue) with the server's CA")
        }
        // A CA the server's certificate does not chain to (the system's): refused, saying so.
        url.rootCertificate = nil
        do {
            _ = try await encrypted(url)
            Issue.record("verify-full accepted a self-signed certificate without its CA")
        } catch let e as FleetError {
            #expect(e.description.hasPrefix("cannot connect to PostgreSQL at postgres://conflictwatch@localhost"), "\(e)")
        }
        url.rootCertificate = "/nonexistent/ca.pem"
        do {
            _ = try await encrypted(url)
            Issue.record("connected with a CA file that does not exist")
        } catch let e as FleetError {
            #expect(e.description.hasPrefix("sslrootcert=/nonexistent/ca.pem: cannot read a PEM certificate there"), "\(e)")
        }
    }
}
