/// Runs `body` with `background` beside it as a child task, cancelled once `body` returns or
/// throws (and awaited: `background` must end when cancelled). For work that only serves the
/// body while it runs: a timer saying "look again", notifications forwarded to a waiter.
/// `body`'s error comes out typed, which `withTaskGroup` alone does not allow.
public func withBackgroundTask<T, E: Error>(
    isolation: isolated (any Actor)? = #isolation,
    _ background: @escaping @Sendable () async -> Void, _ body: () async throws(E) -> T
) async throws(E) -> T {
    // On the caller's isolation, as `withTaskGroup`: `body` need not be sendable.
    let result: Result<T, E> = await withTaskGroup(of: Void.self, isolation: isolation) { group in
        group.addTask(operation: background)
        defer { group.cancelAll() }
        do throws(E) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}
