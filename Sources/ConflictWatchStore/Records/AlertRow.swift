import ConflictWatchCore
import Foundation
import GRDB

/// One row of `alert`: the SPEC §6 alert as JSON, with the columns its filters use.
struct AlertRow: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "alert"

    var id: String
    var kind: String
    var severity_rank: Int
    var route: String
    var client: String?
    var resource: String?
    var start: String
    var end: String?
    var json: String
    /// Optional only for reading a store not migrated yet (a daemon of the previous release
    /// still running); the JSON holds the same flag.
    var silenced: Bool?

    init(_ alert: Alert) throws {
        id = alert.id
        kind = alert.kind.rawValue
        severity_rank = Alert.Severity.allCases.firstIndex(of: alert.severity) ?? 0
        route = alert.route
        client = alert.client
        resource = alert.resource
        start = alert.start
        end = alert.end
        json = try RecordJSON.encode(alert)
        silenced = alert.silenced
    }

    func alert() throws -> Alert { try RecordJSON.decode(Alert.self, from: json) }
}
