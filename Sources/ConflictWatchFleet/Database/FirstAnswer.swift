import Synchronization

/// Resumes a continuation with the first result given and ignores the rest: a statement and
/// the watcher racing it (`FleetDatabase.run`) both try to answer.
final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<T, any Error>, Never>?>

    init(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
        self.continuation = Mutex(continuation)
    }

    var given: Bool { continuation.withLock { $0 == nil } }

    func give(_ result: Result<T, any Error>) {
        continuation.withLock { c in
            c?.resume(returning: result)
            c = nil
        }
    }
}
