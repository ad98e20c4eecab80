#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One OS thread running one closure, joined once. A pipeline stage gets a thread of its own,
/// not a task: it runs synchronous, CPU-bound code for the whole input, which would hold one of
/// the cooperative pool's few threads for as long.
package final class WorkerThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private var thread: pthread_t
    private var joined = false

    /// Starts `body` on a new thread; throws the error text when the thread cannot be made.
    package init(_ body: @escaping @Sendable () -> Void) throws(WorkerThreadError) {
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        #if canImport(Darwin)
        var t: pthread_t? = nil
        #else
        var t = pthread_t()
        #endif
        let rc = pthread_create(&t, nil, { arg in
            let body = Unmanaged<Body>.fromOpaque(arg!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            throw WorkerThreadError(description: String(cString: strerror(rc)))
        }
        #if canImport(Darwin)
        thread = t!
        #else
        thread = t
        #endif
    }

    /// Waits for the closure to return.
    package func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}

/// Why a thread could not be started (the system's own words).
package struct WorkerThreadError: Error, CustomStringConvertible {
    package var description: String
}
