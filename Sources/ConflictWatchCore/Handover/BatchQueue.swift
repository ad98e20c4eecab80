#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A batch that a `BatchQueue` hands from one thread to another and back for reuse.
package protocol ReusableBatch: AnyObject {
    /// Empties the batch, keeping its memory.
    func reset()
}

/// A bounded hand-over of batches between a producing thread (the capture thread, the reading
/// thread of an analysis) and the thread that consumes them, plus a pool of empty batches, so a
/// warmed-up pipeline allocates nothing and synchronises once per batch, never per item. When
/// the consumer falls behind the producer waits.
package final class BatchQueue<Batch: ReusableBatch>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var full: [Batch] = []
    private var free: [Batch] = []
    private var closed = false
    private let depth: Int

    package init(depth: Int, makeBatch: () -> Batch) {
        self.depth = depth
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
        for _ in 0..<(depth + 2) { free.append(makeBatch()) }
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&mutex)
    }

    /// An empty batch to fill (waits for one to be recycled).
    package func take() -> Batch {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while free.isEmpty { pthread_cond_wait(&changed, &mutex) }
        return free.removeLast()
    }

    package func push(_ batch: Batch) {
        pthread_mutex_lock(&mutex)
        while full.count >= depth && !closed { pthread_cond_wait(&changed, &mutex) }
        full.append(batch)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    /// The next filled batch, or nil once the queue is closed and drained.
    package func pop() -> Batch? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while full.isEmpty && !closed { pthread_cond_wait(&changed, &mutex) }
        if full.isEmpty { return nil }
        let b = full.removeFirst()
        pthread_cond_broadcast(&changed)
        return b
    }

    /// The next filled batch if one is ready, without waiting.
    package func tryPop() -> Batch? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if full.isEmpty { return nil }
        let b = full.removeFirst()
        pthread_cond_broadcast(&changed)
        return b
    }

    /// Waits until a filled batch is ready (or the queue is closed), at most `micros`; true when
    /// one is. For a consumer that must not block for long (a task between its other duties).
    package func waitForBatch(micros: Int) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if !full.isEmpty || closed { return !full.isEmpty }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let nanos = Int(now.tv_nsec) + micros * 1000
        var deadline = timespec(tv_sec: now.tv_sec + nanos / 1_000_000_000, tv_nsec: nanos % 1_000_000_000)
        while full.isEmpty && !closed {
            if pthread_cond_timedwait(&changed, &mutex, &deadline) != 0 { break }
        }
        return !full.isEmpty
    }

    package func recycle(_ batch: Batch) {
        batch.reset()
        pthread_mutex_lock(&mutex)
        free.append(batch)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    package func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }
}
