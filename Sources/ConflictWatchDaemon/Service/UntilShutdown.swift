import ServiceLifecycle

/// Runs a service that may finish on its own before the group tells it to (the webhook sender
/// is done once the pipeline's last events are delivered, which can be while the group is still
/// waiting for the pipeline to stop), then waits for its own turn to shut down: a service group
/// shutting down in order takes a service that ends early for one that failed.
struct UntilShutdown<Inner: Service>: Service {
    let inner: Inner

    init(_ inner: Inner) { self.inner = inner }

    func run() async throws {
        try await inner.run()
        try? await gracefulShutdown()
    }
}
