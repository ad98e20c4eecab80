import ConflictWatchCore
import ConflictWatchStore
import NIOCore
import PostgresNIO

/// The agents' side: summaries in, streams heard from.
extension FleetDatabase {
    /// Stores an agent's summaries (in one transaction with its stream's progress). A summary
    /// already stored — shipped before a crash kept the agent from deleting it from its outbox —
    /// is not stored twice: the fleet gets each exactly once.
    public func ship(agent: String, incarnation: String, rows: [ConflictStore.FleetOutboxRow]) async throws(FleetError) {
        try await run("ship summaries") {
            try await self.connection.withTransaction(logger: self.logger) { c in
                for row in rows {
                    let s = row.summary
                    let payload = ByteaParameter(bytes: s.bytes)
                    try await c.query("""
                        INSERT INTO fleet_summary (agent, incarnation, seq, clock, records, first_time, last_time, payload)
                        VALUES (\(agent), \(incarnation), \(row.seq), \(s.clock), \(s.count), \(s.firstTime), \(s.lastTime), \(payload))
                        ON CONFLICT (agent, incarnation, seq) DO NOTHING
                        """, logger: self.logger)
                }
                let last = rows.last
                // Wakes the leader (delivered at this transaction's commit, collapsed with any
                // other of the same transaction): it need not poll to find the summaries.
                if last != nil { try await c.query("SELECT pg_notify(\(Self.summariesChannel), '')", logger: self.logger) }
                try await c.query("""
                    INSERT INTO fleet_stream (agent, incarnation, shipped_seq, clock, last_seen)
                    VALUES (\(agent), \(incarnation), \(last?.seq ?? 0), \(last?.summary.clock), now())
                    ON CONFLICT (agent, incarnation) DO UPDATE SET
                        shipped_seq = GREATEST(fleet_stream.shipped_seq, EXCLUDED.shipped_seq),
                        clock = GREATEST(fleet_stream.clock, EXCLUDED.clock),
                        last_seen = now()
                    """, logger: self.logger)
            }
        }
    }

    /// The channel an agent's shipping notifies.
    static let summariesChannel = "conflictwatch_summaries"

    /// Runs `body` while each agent's shipping of summaries wakes `wakeups` (LISTEN on this
    /// connection; the agents notify in their shipping's transaction).
    func wakingOnShippedSummaries<T>(_ wakeups: Wakeups, _ body: () async throws(FleetError) -> T) async throws(FleetError) -> T {
        let result: Result<T, FleetError>
        do {
            result = try await connection.listen(on: Self.summariesChannel) { notifications in
                do throws(FleetError) {
                    return .success(try await withBackgroundTask({
                        // Ends with the connection (the body then fails too) or when cancelled.
                        do { for try await _ in notifications { wakeups.wake() } } catch {}
                    }, body))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw FleetError("listen for shipped summaries: \(Self.describe(error))")
        }
        return try result.get()
    }

    /// One stream as the aggregator sees it.
    public struct StreamState: Sendable, Equatable {
        public var agent: String
        public var incarnation: String
        public var shippedSeq: Int64
        public var clock: Int64?
        /// Seconds since the agent was last heard from (PostgreSQL's clock, so agents' clocks
        /// need not agree).
        public var silentSeconds: Double
        public var name: String { FleetStreamName.make(agent: agent, incarnation: incarnation) }
    }

    public func streams() async throws(FleetError) -> [StreamState] {
        try await run("read the agents' streams") {
            var out: [StreamState] = []
            let rows = try await self.connection.query("""
                SELECT agent, incarnation, shipped_seq, clock, EXTRACT(EPOCH FROM (now() - last_seen))::float8
                FROM fleet_stream ORDER BY agent, incarnation
                """, logger: self.logger)
            for try await (agent, incarnation, seq, clock, silent) in rows.decode((String, String, Int64, Int64?, Double).self) {
                out.append(StreamState(agent: agent, incarnation: incarnation, shippedSeq: seq, clock: clock, silentSeconds: silent))
            }
            return out
        }
    }

    /// Summaries of one stream from `seq` on, oldest first, at most `limit`.
    public func summaries(agent: String, incarnation: String, from seq: Int64, limit: Int) async throws(FleetError) -> [(seq: Int64, bytes: ByteBuffer)] {
        try await run("read summaries") {
            var out: [(Int64, ByteBuffer)] = []
            let rows = try await self.connection.query("""
                SELECT seq, payload FROM fleet_summary
                WHERE agent = \(agent) AND incarnation = \(incarnation) AND seq >= \(seq)
                ORDER BY seq LIMIT \(limit)
                """, logger: self.logger)
            for try await (s, payload) in rows.decode((Int64, ByteBuffer).self) { out.append((s, payload)) }
            return out
        }
    }
}

/// A stream's name in the merge: the agent's name and its store's incarnation.
public enum FleetStreamName {
    public static func make(agent: String, incarnation: String) -> String { agent + "/" + incarnation }
    /// The agent part of a stream name.
    public static func agent(of name: String) -> Substring {
        name.lastIndex(of: "/").map { name[..<$0] } ?? name[...]
    }
}
