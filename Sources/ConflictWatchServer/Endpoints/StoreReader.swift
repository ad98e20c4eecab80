import ConflictWatchCore
import ConflictWatchStore
import Dispatch

/// Runs the store's synchronous reads on Dispatch's threads, so a slow query (a month of
/// rollups) waits there instead of holding one of the few cooperative threads that every
/// connection and the daemon's pipeline share. As a `ResultStore` it is what the API's queries
/// read on one server.
struct StoreReader: ResultStore {
    let store: ConflictStore

    func read<T: Sendable>(_ body: @escaping @Sendable (ConflictStore) throws -> T) async throws -> T {
        let store = self.store
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body(store) })
            }
        }
    }

    func alerts(_ f: AlertFilter) async throws -> [Alert] { try await read { try $0.alerts(f) } }
    func alert(id: String) async throws -> Alert? { try await read { try $0.alert(id: id) } }
    func hotspots(top: Int) async throws -> [HotspotRow] { try await read { try $0.hotspots(top: top) } }
    func routes(sinceMinute: Int64?, untilMinute: Int64?) async throws -> [RouteRow] {
        try await read { try $0.routes(sinceMinute: sinceMinute, untilMinute: untilMinute) }
    }
    func oldestMinute() async throws -> Int64? { try await read { try $0.oldestMinute() } }
    func newestMinute() async throws -> Int64? { try await read { try $0.newestMinute() } }
    func minuteCounts(sinceMinute: Int64, untilMinute: Int64, top: Int) async throws -> [ConflictStore.MinuteCounts] {
        try await read { try $0.minuteCounts(sinceMinute: sinceMinute, untilMinute: untilMinute, top: top) }
    }
    func bucketExtent() async throws -> (oldest: Int64, newest: Int64, width: Int64)? {
        try await read { try $0.bucketExtent() }
    }
    func bucketCounts(since: Int64, until: Int64, top: Int) async throws -> [ConflictStore.BucketCounts] {
        try await read { try $0.bucketCounts(since: since, until: until, top: top) }
    }
}
