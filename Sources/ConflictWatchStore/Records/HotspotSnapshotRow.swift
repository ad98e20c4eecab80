import ConflictWatchCore
import GRDB

/// One ranked hot spot of a snapshot, stored as its SPEC §6 row.
struct HotspotSnapshotRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "hotspot_snapshot"
    var minute: Int64
    var rank: Int
    var json: String
}
