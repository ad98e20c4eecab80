import ConflictWatchStore
import Synchronization

/// Delivery rows with an attempt in flight, per receiver.
final class InFlightDeliveries: Sendable {
    private let rows = Mutex<[String: Set<Int64>]>([:])

    func ids(for receiver: String) -> Set<Int64> { rows.withLock { $0[receiver] ?? [] } }
    func insert(_ d: WebhookDelivery) { rows.withLock { _ = $0[d.receiver, default: []].insert(d.id ?? -1) } }
    func remove(_ d: WebhookDelivery) { rows.withLock { _ = $0[d.receiver]?.remove(d.id ?? -1) } }
    var isEmpty: Bool { rows.withLock { $0.values.allSatisfy(\.isEmpty) } }
}
