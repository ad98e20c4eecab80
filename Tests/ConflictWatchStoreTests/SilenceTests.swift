import ConflictWatchCore
import Foundation
import Logging
import Testing
@testable import ConflictWatchStore

/// Silences (SPEC §6): what they match, how long they hold, and how the store keeps them and the
/// open alerts' `silenced` flag.
@Suite struct SilenceTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-silence-\(UUID().uuidString.prefix(8))").path
    let logger = Logger(label: "test")
    /// 2026-12-01T12:00:00Z, wall clock for the tests.
    static let now: Int64 = 1_796_126_400 * 1_000_000

    static func alert(_ id: String, kind: Alert.Kind = .burst, route: String = "/api/orders/{id}", client: String? = "10.0.0.1",
                      resource: String? = "/api/orders/13", topClients: [String] = [], topResources: [String] = [],
                      end: String? = nil) -> Alert {
        func quoted(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
        let json = """
            {"id":"\(id)","kind":"\(kind.rawValue)","class":["single_client"],"severity":"high","route":"\(route)",
             "resource":\(quoted(resource)),"client":\(quoted(client)),"statuses":{"409":3},"start":"2026-11-24T10:00:00.000000Z",
             "end":\(quoted(end)),"peak_count":3,"expected":0.5,"score":9,"probability":null,
             "top_clients":[\(topClients.map { "{\"client\":\"\($0)\",\"count\":1}" }.joined(separator: ","))],
             "top_resources":[\(topResources.map { "{\"resource\":\"\($0)\",\"count\":1}" }.joined(separator: ","))],
             "samples":[],"reason":"test"}
            """
        return try! JSONDecoder().decode(Alert.self, from: Data(json.utf8))
    }

    static func silence(_ m: Silence.Matchers, seconds: Int64 = 3600, at now: Int64 = now) -> Silence {
        Silence.make(matchers: m, seconds: seconds, comment: "deploy", author: "ops", now: now)
    }

    @Test func routeAndResourceAreGlobsKindAndClientExact() {
        let a = Self.alert("a")
        #expect(Self.silence(.init(route: "/api/orders/*")).matches(a))
        #expect(Self.silence(.init(route: "/api/*")).matches(a), "* crosses /")
        #expect(Self.silence(.init(route: "/api/orders/{id}")).matches(a))
        #expect(!Self.silence(.init(route: "/api/users/*")).matches(a))
        #expect(!Self.silence(.init(route: "/api/orders")).matches(a), "a glob matches the whole template")
        #expect(Self.silence(.init(route: "/api/order?/*")).matches(a))
        #expect(Self.silence(.init(kind: .burst)).matches(a))
        #expect(!Self.silence(.init(kind: .hotspot)).matches(a))
        #expect(Self.silence(.init(client: "10.0.0.1")).matches(a))
        #expect(!Self.silence(.init(client: "10.0.0.10")).matches(a), "client is exact, not a prefix")
        #expect(!Self.silence(.init(client: "10.0.0.*")).matches(a), "client is exact, not a glob")
        #expect(Self.silence(.init(resource: "/api/orders/1*")).matches(a))
        #expect(!Self.silence(.init(resource: "/api/orders/14")).matches(a))
        // Every matcher must hold.
        #expect(!Self.silence(.init(route: "/api/orders/*", kind: .hotspot)).matches(a))
        #expect(Self.silence(.init(route: "/api/orders/*", kind: .burst, client: "10.0.0.1", resource: "/api/orders/13")).matches(a))
    }

    @Test func alertsWithoutOwnClientOrResourceMatchOnlyWhenAllTheyListDo() {
        let grouped = Self.alert("h", kind: .hotspot, client: nil, resource: nil, topClients: ["10.0.0.1", "10.0.0.2"],
                                 topResources: ["/api/orders/13", "/api/orders/14"])
        #expect(Self.silence(.init(resource: "/api/orders/*")).matches(grouped))
        #expect(!Self.silence(.init(resource: "/api/orders/13")).matches(grouped), "the alert also names /api/orders/14")
        #expect(!Self.silence(.init(client: "10.0.0.1")).matches(grouped), "the alert also names 10.0.0.2")
        let bare = Self.alert("b", client: nil, resource: nil)
        #expect(!Self.silence(.init(client: "10.0.0.1")).matches(bare), "names no client at all")
        #expect(!Self.silence(.init(resource: "*")).matches(bare), "names no resource at all")
        #expect(Self.silence(.init(route: "*")).matches(bare))
    }

    @Test func activeFromStartUntilEnd() {
        let s = Self.silence(.init(route: "*"), seconds: 7200)
        #expect(s.isActive(at: CivilTime.rfc3339(Self.now)))
        #expect(s.isActive(at: CivilTime.rfc3339(Self.now + 7199 * 1_000_000)))
        #expect(!s.isActive(at: CivilTime.rfc3339(Self.now + 7200 * 1_000_000)), "ends is exclusive")
        #expect(!s.isActive(at: CivilTime.rfc3339(Self.now - 1)))
        #expect(s.ends == "2026-12-01T14:00:00.000000Z")
        #expect(s.id.hasPrefix("s-") && s.id.count == 14 && s.id.dropFirst(2).allSatisfy(\.isHexDigit))
    }

    @Test func storeRoundTripListExpire() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = Self.silence(.init(route: "/api/orders/*", kind: .burst, client: "10.0.0.1", resource: "/api/orders/1*"), seconds: 3600)
        let b = Self.silence(.init(route: "*"), seconds: 60, at: Self.now + 1)
        try store.addSilence(a, now: Self.now)
        try store.addSilence(b, now: Self.now)
        #expect(try store.silences(now: Self.now + 2) == [a, b])
        #expect(try store.silence(id: a.id, now: Self.now) == a)
        // b runs out by time; it is kept, expired.
        let later = Self.now + 120 * 1_000_000
        #expect(try store.silences(now: later).map(\.id) == [a.id])
        var bExpired = b
        bExpired.expired = true
        #expect(try store.silences(includeExpired: true, now: later) == [a, bExpired])
        // Expiring by hand ends it now.
        let expired = try #require(try store.expireSilence(id: a.id, now: later))
        #expect(expired.expired && expired.ends == CivilTime.rfc3339(later))
        #expect(try store.silences(now: later).isEmpty)
        #expect(try store.expireSilence(id: a.id, now: later + 5) == expired, "expiring again changes nothing")
        #expect(try store.expireSilence(id: "s-000000000000", now: later) == nil)
        // A reader in another process sees them.
        let reader = try ConflictStore(directory: dir, mode: .reader, logger: logger)
        #expect(try reader.silences(includeExpired: true, now: later).count == 2)
        let json = String(decoding: try JSONEncoder().encode(a), as: UTF8.self)
        for key in ["\"id\"", "\"matchers\"", "\"route\"", "\"kind\"", "\"client\"", "\"resource\"", "\"comment\"", "\"author\"",
                    "\"created\"", "\"starts\"", "\"ends\"", "\"expired\""] {
            #expect(json.contains(key), "\(key) in \(json)")
        }
    }

    @Test func addingAndExpiringReflagsOpenAlertsOnly() throws {
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var batch = StoreBatch()
        batch.alerts = [Self.alert("open1"), Self.alert("closed1", end: "2026-11-24T10:05:00.000000Z"),
                        Self.alert("other", route: "/api/users/{id}")]
        try store.commit(batch)
        let s = Self.silence(.init(route: "/api/orders/*"))
        try store.addSilence(s, now: Self.now)
        func flags() throws -> [String: Bool] {
            Dictionary(uniqueKeysWithValues: try store.alerts(AlertFilter()).map { ($0.id, $0.silenced) })
        }
        #expect(try flags() == ["open1": true, "closed1": false, "other": false], "history is not rewritten")
        var hide = AlertFilter()
        hide.hideSilenced = true
        #expect(try store.alerts(hide).map(\.id) == ["closed1", "other"])
        _ = try store.expireSilence(id: s.id, now: Self.now + 1_000_000)
        #expect(try flags() == ["open1": false, "closed1": false, "other": false])
    }
}
