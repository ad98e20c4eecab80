import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Logging

/// A store in a temporary directory with known alerts, rollups and hot spots, written through
/// the public Store API and opened read-only as the daemon hands it to the server.
struct StoreFixture {
    let directory: String
    let reader: ConflictStore

    static let logger = Logger(label: "test")

    /// a1 closed burst (low), a2 open hotspot (critical), a3 closed burst from another client
    /// (medium), a4 open burst on another route (high).
    static let alerts: [Alert] = [
        alert("a1", severity: .low, start: "2026-11-24T09:00:00.000000Z", end: "2026-11-24T09:01:00.000000Z"),
        alert("a2", kind: .hotspot, severity: .critical, route: "/api/users/{id}", client: nil, start: "2026-11-24T10:00:00.000000Z"),
        alert("a3", severity: .medium, client: "10.0.0.2", start: "2026-11-24T11:00:00.000000Z", end: "2026-11-24T11:05:00.000000Z"),
        alert("a4", severity: .high, route: "/api/orders/{id}/lock", start: "2026-11-24T12:00:00.000000Z"),
    ]

    /// Two minutes of traffic: 2026-11-24T10:00Z and 10:05Z.
    static let minute1: Int64 = 29_925_240 // 2026-11-24T10:00:00Z in minutes since the epoch
    static let minute2: Int64 = minute1 + 5

    static let hotspots: [HotspotRow] = [
        hotspot("/api/orders/13", probability: 0.9, conflicts: 7),
        hotspot("/api/orders/7", probability: 0.4, conflicts: 1),
        hotspot("/api/orders/99", probability: 0.1, conflicts: 0),
    ]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-server-\(UUID().uuidString.prefix(8))").path
        let writer = try ConflictStore(directory: directory, mode: .writer, logger: Self.logger)
        var batch = StoreBatch()
        batch.alerts = Self.alerts
        batch.rollups = [
            RouteRollup(minute: Self.minute1, route: "/api/orders/{id}", requests: 100, writes: 40, conflicts: 8,
                        statuses: ["200": 92, "409": 8], writers: 5, resources: 20, p50Ms: 12, p99Ms: 80),
            RouteRollup(minute: Self.minute1, route: "/api/users/{id}", requests: 30, writes: 10, conflicts: 0,
                        statuses: ["200": 30], writers: 2, resources: 4, p50Ms: 5, p99Ms: nil),
            RouteRollup(minute: Self.minute2, route: "/api/orders/{id}", requests: 50, writes: 20, conflicts: 2,
                        statuses: ["200": 48, "412": 2], writers: 6, resources: 22, p50Ms: 14, p99Ms: 90),
        ]
        batch.hotspots = Self.hotspots
        batch.hotspotMinute = Self.minute2
        try writer.commit(batch)
        reader = try ConflictStore(directory: directory, mode: .reader, logger: Self.logger)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    static func alert(_ id: String, kind: Alert.Kind = .burst, severity: Alert.Severity, route: String = "/api/orders/{id}",
                      client: String? = "10.0.0.1", start: String, end: String? = nil) -> Alert {
        let json = """
            {"id":"\(id)","kind":"\(kind.rawValue)","class":["single_client"],"severity":"\(severity.rawValue)",
             "route":"\(route)","resource":"/api/orders/13","client":\(client.map { "\"\($0)\"" } ?? "null"),"statuses":{"409":3},
             "start":"\(start)","end":\(end.map { "\"\($0)\"" } ?? "null"),"peak_count":3,"expected":0.5,"score":9.1,
             "probability":\(kind == .hotspot ? "0.93" : "null"),"top_clients":[{"client":"10.0.0.1","count":3}],
             "top_resources":[{"resource":"/api/orders/13","count":3}],
             "samples":[{"time":"\(start)","client":"10.0.0.1","method":"PUT","path":"/api/orders/13","status":409}],
             "reason":"test \(id)"}
            """
        return try! JSONDecoder().decode(Alert.self, from: Data(json.utf8))
    }

    static func hotspot(_ resource: String, probability: Double, conflicts: Int) -> HotspotRow {
        let json = """
            {"resource":"\(resource)","route":"/api/orders/{id}","probability":\(probability),"write_rate":3.5,"writers":4,
             "edit_window_ms":1000,"conflicts":\(conflicts),"since":"2026-11-24T10:00:00.000000Z"}
            """
        return try! JSONDecoder().decode(HotspotRow.self, from: Data(json.utf8))
    }
}
