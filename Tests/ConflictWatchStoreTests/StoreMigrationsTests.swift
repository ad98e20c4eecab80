import GRDB
import Testing
@testable import ConflictWatchStore

/// Migrations are append-only: a store written by an older binary records which of them ran, so
/// renaming, removing or reordering a released one would re-run or skip schema changes on every
/// existing store. This list changes only by a new name at its end.
@Suite struct StoreMigrationsTests {
    @Test func theMigrationListOnlyGrowsAtItsEnd() {
        let released = [
            "v1-alerts-rollups-hotspots-checkpoints",
            "v2-route-aliases",
            "v3-model-state-alert-events",
            "v4-webhook-outbox",
            "v5-silences",
            "v6-route-buckets",
            "v7-fleet-outbox",
            "v8-fleet-outbox-files",
            "v9-model-state-files",
        ]
        let current = StoreMigrations.migrator.migrations
        #expect(Array(current.prefix(released.count)) == released, "a released migration was renamed, removed or moved")
        #expect(current.count == released.count, "a new migration: append its name to `released` above")
    }
}
