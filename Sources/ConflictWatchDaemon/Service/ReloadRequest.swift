import Synchronization

/// Set by the SIGHUP task, taken by the pipeline loop.
final class ReloadRequest: Sendable {
    private let pending = Atomic<Bool>(false)
    func request() { pending.store(true, ordering: .relaxed) }
    func take() -> Bool { pending.exchange(false, ordering: .relaxed) }
}
