import GRDB

/// The schema, as named append-only migrations: a released migration is never edited, a change
/// is a new migration appended at the end (GRDB records which ones ran in `grdb_migrations`).
enum StoreMigrations {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-alerts-rollups-hotspots-checkpoints") { db in
            // The whole alert as SPEC §6 JSON, plus the columns the filters need. Times are
            // fixed-width RFC 3339 UTC strings, so text order is time order.
            try db.create(table: "alert") { t in
                t.primaryKey("id", .text)
                t.column("kind", .text).notNull()
                t.column("severity_rank", .integer).notNull()
                t.column("route", .text).notNull()
                t.column("client", .text)
                t.column("resource", .text)
                t.column("start", .text).notNull()
                t.column("end", .text)
                t.column("json", .text).notNull()
            }
            try db.create(index: "alert_start", on: "alert", columns: ["start"])
            // Per traffic minute and route: additive counts; the distinct counts and latency
            // quantiles are the route's running values when the minute was last written.
            try db.create(table: "route_rollup") { t in
                t.column("minute", .integer).notNull()
                t.column("route", .text).notNull()
                t.column("requests", .integer).notNull()
                t.column("writes", .integer).notNull()
                t.column("conflicts", .integer).notNull()
                t.column("statuses", .text).notNull()
                t.column("writers", .integer).notNull()
                t.column("resources", .integer).notNull()
                t.column("p50_ms", .double)
                t.column("p99_ms", .double)
                t.primaryKey(["minute", "route"])
            }
            // The ranked hot spots as of one traffic minute (the latest write of that minute wins).
            try db.create(table: "hotspot_snapshot") { t in
                t.column("minute", .integer).notNull()
                t.column("rank", .integer).notNull()
                t.column("json", .text).notNull()
                t.primaryKey(["minute", "rank"])
            }
            // Where each followed file was read to, by identity: a rotated file keeps its row
            // until it is read to its end, so a restart finds it among its siblings.
            try db.create(table: "checkpoint") { t in
                t.column("source", .text).notNull()
                t.column("device", .integer).notNull()
                t.column("inode", .integer).notNull()
                t.column("path", .text).notNull()
                t.column("offset", .integer).notNull()
                t.column("line", .integer).notNull()
                t.column("current", .boolean).notNull()
                t.column("updated", .text).notNull()
                t.primaryKey(["source", "device", "inode"])
            }
        }
        // Routes are renamed as the normalizer learns (`/carts/x1y2` → `/carts/{var}`); rows
        // written under the old name are read under the new one.
        m.registerMigration("v2-route-aliases") { db in
            try db.create(table: "route_alias") { t in
                t.primaryKey("route", .text)
                t.column("reported_as", .text).notNull()
            }
        }
        // The model's restart state (one row, replaced with every commit beside the checkpoints
        // of the lines it covers) and the events of each alert's life (SPEC §6), keyed by their
        // stable event id so a replay after a crash stores each once.
        m.registerMigration("v3-model-state-alert-events") { db in
            try db.create(table: "model_state") { t in
                t.primaryKey("id", .integer)
                t.column("snapshot", .blob).notNull()
                t.column("updated", .text).notNull()
            }
            try db.create(table: "alert_event") { t in
                t.primaryKey("event_id", .text)
                t.column("alert_id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("time", .text).notNull()
                t.column("sequence", .integer).notNull()
            }
            try db.create(index: "alert_event_alert", on: "alert_event", columns: ["alert_id", "sequence"])
        }
        // The webhook outbox (SPEC §8): one row per receiver and event, committed with the alert
        // change, deleted once delivered. Per receiver, pending rows are read in insertion order
        // and an alert's rows strictly one after another, hence the two indexes.
        m.registerMigration("v4-webhook-outbox") { db in
            try db.create(table: "webhook_delivery") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("receiver", .text).notNull()
                t.column("event_id", .text).notNull()
                t.column("alert_id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("body", .text).notNull()
                t.column("created", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("next_attempt", .integer).notNull()
                t.column("state", .text).notNull()
                t.column("last_error", .text)
                t.uniqueKey(["receiver", "event_id"])
            }
            try db.create(index: "webhook_delivery_queue", on: "webhook_delivery", columns: ["state", "receiver", "id"])
            try db.create(index: "webhook_delivery_alert", on: "webhook_delivery", columns: ["receiver", "alert_id", "id"])
        }
        // Silences (SPEC §6), and the alert's `silenced` flag as a column so `--hide-silenced`
        // is a WHERE clause. Expired silences are kept (the audit trail of who quieted what)
        // until retention; `ends` is indexed because the daemon asks for the active ones often.
        m.registerMigration("v5-silences") { db in
            try db.create(table: "silence") { t in
                t.primaryKey("id", .text)
                t.column("route", .text).notNull()
                t.column("kind", .text)
                t.column("client", .text)
                t.column("resource", .text)
                t.column("comment", .text).notNull()
                t.column("author", .text).notNull()
                t.column("created", .text).notNull()
                t.column("starts", .text).notNull()
                t.column("ends", .text).notNull()
            }
            try db.create(index: "silence_ends", on: "silence", columns: ["ends"])
            try db.alter(table: "alert") { t in
                t.add(column: "silenced", .boolean).notNull().defaults(to: false)
            }
        }
        // Per route and model bucket (SPEC §5.2's bucket, default 10 s): the recent chart's fine
        // series. Pruned to a few hours behind the newest bucket on every commit that adds some.
        m.registerMigration("v6-route-buckets") { db in
            try db.create(table: "route_bucket") { t in
                t.column("start", .integer).notNull()
                t.column("width", .integer).notNull()
                t.column("route", .text).notNull()
                t.column("requests", .integer).notNull()
                t.column("writes", .integer).notNull()
                t.column("conflicts", .integer).notNull()
                t.primaryKey(["start", "route"])
            }
        }
        // A fleet agent's summaries (SPEC §7), committed with the checkpoints of the lines they
        // hold and deleted once PostgreSQL has them: the outbox makes shipping exactly once.
        // `incarnation` names this store's stream, so a store made anew never reuses sequence
        // numbers the fleet already has.
        m.registerMigration("v7-fleet-outbox") { db in
            try db.create(table: "fleet_outbox") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("clock", .integer).notNull()
                t.column("records", .integer).notNull()
                t.column("first_time", .integer)
                t.column("last_time", .integer)
                t.column("payload", .blob).notNull()
            }
            try db.create(table: "fleet_identity") { t in
                t.primaryKey("id", .integer)
                t.column("incarnation", .text).notNull()
            }
        }
        // The summaries themselves move to segment files beside the store (FleetOutboxFiles);
        // a row says where its summary is. Rows written before keep theirs in `payload`.
        m.registerMigration("v8-fleet-outbox-files") { db in
            try db.alter(table: "fleet_outbox") { t in
                t.add(column: "segment", .integer)
                t.add(column: "file_offset", .integer)
                t.add(column: "length", .integer)
            }
        }
        // The model's restart state moves to two files beside the store, written in turn
        // (ModelStateFiles); the row says which generation holds it, its length and CRC-32. A row
        // written before keeps its state in `snapshot` until the next commit.
        m.registerMigration("v9-model-state-files") { db in
            try db.alter(table: "model_state") { t in
                t.add(column: "file_generation", .integer)
                t.add(column: "file_length", .integer)
                t.add(column: "file_crc", .integer)
            }
        }
        return m
    }
}
