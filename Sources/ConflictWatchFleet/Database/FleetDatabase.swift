import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The fleet's shared store (SPEC §7): one PostgreSQL connection, the schema's migrations, and
/// the statements the agents, the aggregator and the queries run (the extensions beside this
/// file). One connection per user: the aggregator's session advisory lock lives and dies with
/// it, so a dead aggregator's role is free again as soon as PostgreSQL notices.
public final class FleetDatabase: Sendable {
    public let url: FleetDatabaseURL
    let connection: PostgresConnection
    let logger: Logger

    /// The advisory lock key of the aggregator role ("cwfleet" in ASCII).
    static let aggregatorLock: Int64 = 0x63_7766_6c65_6574
    /// Held while migrating, so agents starting together migrate once.
    static let migrationLock: Int64 = 0x63_776d_6967_7261

    private init(url: FleetDatabaseURL, connection: PostgresConnection, logger: Logger) {
        self.url = url
        self.connection = connection
        self.logger = logger
    }

    /// Connects and brings the schema up to date (refusing one newer than this build knows).
    public static func connect(_ url: FleetDatabaseURL, logger: Logger, connectTimeout: TimeAmount = .seconds(5)) async throws(FleetError) -> FleetDatabase {
        var config = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: try tls(url))
        config.options.connectTimeout = connectTimeout
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        } catch {
            throw FleetError("cannot connect to PostgreSQL at \(url): \(Self.describe(error))")
        }
        let db = FleetDatabase(url: url, connection: connection, logger: logger)
        do {
            try await db.migrate()
        } catch {
            try? await connection.close()
            throw error
        }
        return db
    }

    /// The connection is gone (closed, or lost with the server): make a new one.
    public var isClosed: Bool { connection.isClosed }

    /// The connection's TLS as libpq would do it for the URL's `sslmode` and `sslrootcert`.
    static func tls(_ url: FleetDatabaseURL) throws(FleetError) -> PostgresConnection.Configuration.TLS {
        var c = TLSConfiguration.makeClientConfiguration()
        switch url.tls {
        case .disable: return .disable
        case .prefer, .require: c.certificateVerification = .none
        case .verifyCA: c.certificateVerification = .noHostnameVerification
        case .verifyFull: c.certificateVerification = .fullVerification
        }
        if let file = url.rootCertificate {
            do {
                c.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                // A setting to fix, not an outage to wait out: the agent stops and says so.
                throw FleetError("sslrootcert=\(file): cannot read a PEM certificate there (\(error))", fatal: true)
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: c)
        } catch {
            throw FleetError("database URL \(url): cannot set up TLS: \(error)", fatal: true)
        }
        return url.tls == .prefer ? .prefer(context) : .require(context)
    }

    public func close() async {
        try? await connection.close()
    }

    /// Applies the migrations this build knows and the database lacks, each in a transaction,
    /// under a lock so concurrent agents do it once.
    func migrate() async throws(FleetError) {
        try await run("migrate the fleet schema") {
            try await self.connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: self.logger)
            do {
                try await self.connection.query("""
                    CREATE TABLE IF NOT EXISTS conflictwatch_migrations (name text PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())
                    """, logger: self.logger)
                var applied: Set<String> = []
                for try await name in try await self.connection.query("SELECT name FROM conflictwatch_migrations", logger: self.logger).decode(String.self) {
                    applied.insert(name)
                }
                let known = Set(FleetMigrations.all.map(\.name))
                if let unknown = applied.subtracting(known).sorted().first {
                    throw FleetError("""
                        the fleet database \(self.url) has schema migration '\(unknown)', which this conflictwatch does not know: \
                        a newer version wrote it. Upgrade this agent (every agent of a fleet must run the same or a newer version).
                        """, fatal: true)
                }
                for m in FleetMigrations.all where !applied.contains(m.name) {
                    try await self.connection.withTransaction(logger: self.logger) { c in
                        for statement in m.sql { try await c.query(PostgresQuery(unsafeSQL: statement), logger: self.logger) }
                        try await c.query("INSERT INTO conflictwatch_migrations (name) VALUES (\(m.name))", logger: self.logger)
                    }
                    self.logger.info("fleet schema migrated", metadata: ["migration": "\(m.name)"])
                }
            } catch {
                _ = try? await self.connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
                throw error
            }
            try await self.connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
        }
    }

    /// The names of the migrations applied (for tests and `config check`).
    public func appliedMigrations() async throws(FleetError) -> [String] {
        try await run("read the schema's migrations") {
            var names: [String] = []
            for try await n in try await self.connection.query("SELECT name FROM conflictwatch_migrations ORDER BY name", logger: self.logger).decode(String.self) {
                names.append(n)
            }
            return names
        }
    }

    /// Runs `body`, turning whatever it throws into a `FleetError` that says what was being done.
    ///
    /// The caller gets an answer even when PostgresNIO gives none: a statement written to a
    /// connection the server has just closed (a restart, `pg_ctl stop`) is never failed, it
    /// waits forever. So a watcher fails the call as soon as the connection is seen closed, or
    /// closes it when no answer came within `timeout` (a server gone without a word). The
    /// abandoned statement's task stays suspended on the dead connection; that is a few hundred
    /// bytes per outage, against an agent that would otherwise never ship again.
    func run<T: Sendable>(_ doing: String, timeout: Duration = .seconds(30), _ body: @escaping @Sendable () async throws -> T) async throws(FleetError) -> T {
        let connection = self.connection
        let outcome: Result<T, any Error>
        if connection.isClosed {
            outcome = .failure(FleetError("the connection is closed"))
        } else {
            outcome = await withCheckedContinuation { continuation in
                let answer = FirstAnswer(continuation)
                Task {
                    do { answer.give(.success(try await body())) } catch { answer.give(.failure(error)) }
                }
                Task {
                    let deadline = ContinuousClock.now + timeout
                    while !answer.given {
                        if connection.isClosed {
                            answer.give(.failure(FleetError("the connection closed")))
                        } else if ContinuousClock.now >= deadline {
                            answer.give(.failure(FleetError("no answer within \(timeout); the connection was closed")))
                            try? await connection.close()
                        } else {
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(let e as FleetError):
            throw e.fatal ? e : FleetError("cannot \(doing) on \(url): \(e.description)")
        case .failure(let error):
            throw FleetError("cannot \(doing) on \(url): \(Self.describe(error))")
        }
    }

    /// PostgresNIO's errors print little by default; the server's message is what helps.
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)"
        }
        if let t = error as? PostgresTransactionError {
            if let c = t.closureError { return describe(c) }
            if let c = t.commitError { return describe(c) }
            if let b = t.beginError { return describe(b) }
        }
        return "\(error)"
    }
}
