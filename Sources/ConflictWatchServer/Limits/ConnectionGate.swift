import Synchronization

/// Counts the API's open connections against the cap, and what the limits did to the others.
/// Shared by every event loop, so plain atomics: one add per connection, nothing per request.
final class ConnectionGate: Sendable {
    struct Counts: Sendable, Equatable {
        var open: Int
        var refused: UInt64
        var timedOut: UInt64
    }

    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused = Atomic<UInt64>(0)
    private let timedOut = Atomic<UInt64>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot for a new connection; false (and counted) when the cap is reached.
    func admit() -> Bool {
        if open.add(1, ordering: .relaxed).newValue <= limit { return true }
        open.subtract(1, ordering: .relaxed)
        refused.add(1, ordering: .relaxed)
        return false
    }

    /// Gives back the slot of an admitted connection once it is closed.
    func release() {
        open.subtract(1, ordering: .relaxed)
    }

    func recordTimeout() {
        timedOut.add(1, ordering: .relaxed)
    }

    var counts: Counts {
        Counts(open: open.load(ordering: .relaxed), refused: refused.load(ordering: .relaxed), timedOut: timedOut.load(ordering: .relaxed))
    }
}
