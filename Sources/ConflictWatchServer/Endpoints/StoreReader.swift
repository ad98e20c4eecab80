import ConflictWatchStore
import Dispatch

/// Runs the store's synchronous reads on Dispatch's threads, so a slow query (a month of
/// rollups) waits there instead of holding one of the few cooperative threads that every
/// connection and the daemon's pipeline share.
struct StoreReader: Sendable {
    let store: ConflictStore

    func read<T: Sendable>(_ body: @escaping @Sendable (ConflictStore) throws -> T) async throws -> T {
        let store = self.store
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(with: Result { try body(store) })
            }
        }
    }
}
