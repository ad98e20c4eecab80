/// The fleet schema as named, append-only migrations (as the SQLite store's): a released one is
/// never edited; a change is a new one at the end. An agent that finds a migration it does not
/// know refuses to run (a newer conflictwatch wrote the schema).
enum FleetMigrations {
    static let all: [(name: String, sql: [String])] = [
        ("v1-fleet-streams-summaries-results", [
            // One row per agent's stream (an agent's store; made anew, it is a new stream): how
            // far it has shipped, its traffic clock, when it was last heard from.
            """
            CREATE TABLE fleet_stream (
                agent text NOT NULL, incarnation text NOT NULL,
                shipped_seq bigint NOT NULL DEFAULT 0, clock bigint,
                last_seen timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (agent, incarnation))
            """,
            // The agents' summaries (FleetSummaryWriter's bytes), kept until the aggregator has
            // accounted them and the retention passes.
            """
            CREATE TABLE fleet_summary (
                agent text NOT NULL, incarnation text NOT NULL, seq bigint NOT NULL,
                clock bigint NOT NULL, records integer NOT NULL, first_time bigint, last_time bigint,
                payload bytea NOT NULL, shipped_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (agent, incarnation, seq))
            """,
            // The aggregator's state as of its last commit: the model's snapshot, where each
            // stream stands (FleetMerge.Position as JSON), the watermark, who wrote it.
            """
            CREATE TABLE fleet_state (
                id integer PRIMARY KEY CHECK (id = 1), model bytea, positions text NOT NULL,
                watermark bigint NOT NULL, holder text NOT NULL, updated timestamptz NOT NULL DEFAULT now())
            """,
            // The fleet's results, in the shapes of the embedded store's tables.
            """
            CREATE TABLE fleet_alert (
                id text PRIMARY KEY, kind text NOT NULL, severity_rank integer NOT NULL, route text NOT NULL,
                client text, resource text, start text NOT NULL, "end" text, silenced boolean NOT NULL DEFAULT false,
                agents text NOT NULL, json text NOT NULL)
            """,
            "CREATE INDEX fleet_alert_start ON fleet_alert (start)",
            """
            CREATE TABLE fleet_alert_event (
                event_id text PRIMARY KEY, alert_id text NOT NULL, kind text NOT NULL, time text NOT NULL, sequence integer NOT NULL)
            """,
            """
            CREATE TABLE fleet_route_rollup (
                minute bigint NOT NULL, route text NOT NULL, requests bigint NOT NULL, writes bigint NOT NULL,
                conflicts bigint NOT NULL, statuses jsonb NOT NULL, writers integer NOT NULL, resources integer NOT NULL,
                p50_ms double precision, p99_ms double precision, PRIMARY KEY (minute, route))
            """,
            "CREATE TABLE fleet_route_alias (route text PRIMARY KEY, reported_as text NOT NULL)",
            """
            CREATE TABLE fleet_hotspot (minute bigint NOT NULL, rank integer NOT NULL, json text NOT NULL, PRIMARY KEY (minute, rank))
            """,
        ]),
        // The fleet's per-bucket route counts, behind its dashboard's recent chart (as the
        // embedded store's route_bucket): deltas added, kept a few hours behind the newest.
        ("v2-fleet-route-buckets", [
            """
            CREATE TABLE fleet_route_bucket (
                start bigint NOT NULL, width bigint NOT NULL, route text NOT NULL,
                requests bigint NOT NULL, writes bigint NOT NULL, conflicts bigint NOT NULL, PRIMARY KEY (start, route))
            """,
        ]),
        // The fleet's silences (SPEC §6), as the embedded store's: the aggregator decides each
        // fleet alert against them; expired ones are kept (who quieted what) for the retention.
        ("v3-fleet-silences", [
            """
            CREATE TABLE fleet_silence (
                id text PRIMARY KEY, route text NOT NULL, kind text, client text, resource text,
                comment text NOT NULL, author text NOT NULL, created text NOT NULL, starts text NOT NULL, ends text NOT NULL)
            """,
            "CREATE INDEX fleet_silence_ends ON fleet_silence (ends)",
        ]),
        // The webhook outbox of the fleet's alert events (SPEC §8), as the embedded store's
        // webhook_delivery: rows written by the aggregator with the alert change, sent by the
        // agent holding the role, deleted once delivered. `announced` says the receivers heard
        // the alert open (or needed not: it opened silenced, or before this migration), so an
        // open alert released from its silence is announced exactly once, whoever leads then.
        ("v4-fleet-webhook-outbox", [
            """
            CREATE TABLE fleet_webhook_delivery (
                id bigserial PRIMARY KEY, receiver text NOT NULL, event_id text NOT NULL, alert_id text NOT NULL,
                kind text NOT NULL, body text NOT NULL, created text NOT NULL, attempts integer NOT NULL DEFAULT 0,
                next_attempt bigint NOT NULL, state text NOT NULL DEFAULT 'pending', last_error text,
                UNIQUE (receiver, event_id))
            """,
            "CREATE INDEX fleet_webhook_delivery_queue ON fleet_webhook_delivery (state, receiver, id)",
            "CREATE INDEX fleet_webhook_delivery_alert ON fleet_webhook_delivery (receiver, alert_id, id)",
            "ALTER TABLE fleet_alert ADD COLUMN announced boolean NOT NULL DEFAULT true",
        ]),
        // The summaries compressed with lz4 instead of PostgreSQL's default pglz: measured on
        // 134 MB of summaries (2 M lines) pglz took 2.6-2.8 s of the server's CPU, lz4 0.8-0.9 s
        // for a smaller table, on the cores the agents ingest on (docs/fleet.md). A server built
        // without lz4 (or older than 14) keeps pglz: the statement's failure is caught.
        ("v5-fleet-summary-lz4", [
            """
            DO $$ BEGIN
                ALTER TABLE fleet_summary ALTER COLUMN payload SET COMPRESSION lz4;
            EXCEPTION WHEN OTHERS THEN
                RAISE NOTICE 'lz4 compression not available (%); fleet summaries stay pglz-compressed', SQLERRM;
            END $$
            """,
        ]),
        // The aggregator's model state likewise: rewritten with every commit (once a second on
        // a busy fleet, 2.3 MB for the bench's 2 M lines), pglz took 74 ms of the server's CPU
        // per write, lz4 about 10 ms (docs/fleet.md).
        ("v6-fleet-state-lz4", [
            """
            DO $$ BEGIN
                ALTER TABLE fleet_state ALTER COLUMN model SET COMPRESSION lz4;
            EXCEPTION WHEN OTHERS THEN
                RAISE NOTICE 'lz4 compression not available (%); the fleet model state stays pglz-compressed', SQLERRM;
            END $$
            """,
        ]),
        // Agents ship summaries in CWF2 from this release on. The schema changes in name only,
        // and that is the point: an agent of an earlier release, which reads CWF1 only, refuses
        // a database with a migration it does not know, so it can neither take the aggregator
        // role and skip every CWF2 summary as unreadable, nor lose what it reads meanwhile (its
        // logs wait at its checkpoints until it is upgraded).
        ("v7-fleet-summary-cwf2", [
            """
            COMMENT ON COLUMN fleet_summary.payload IS
                'conflictwatch fleet summary, format CWF2 (docs/fleet.md); CWF1 of earlier releases is still read'
            """,
        ]),
        // CWF3 likewise (blocks encoded on the agents' reading threads, docs/fleet.md): an agent
        // of an earlier release reads CWF2 and CWF1 only, and must not lead a fleet whose
        // summaries it would skip.
        ("v8-fleet-summary-cwf3", [
            """
            COMMENT ON COLUMN fleet_summary.payload IS
                'conflictwatch fleet summary, format CWF3 (docs/fleet.md); CWF2 and CWF1 of earlier releases are still read'
            """,
        ]),
    ]
}
