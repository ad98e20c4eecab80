#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A bounded hand-over of batches between the capture thread and the pipeline thread, plus a
/// pool of empty batches. When the pipeline falls behind the capture thread waits, and the
/// kernel buffer absorbs (and counts) what does not fit.
final class BatchQueue: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var full: [PacketBatch] = []
    private var free: [PacketBatch] = []
    private var closed = false
    private let depth: Int

    init(depth: Int, makeBatch: () -> PacketBatch) {
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
    func take() -> PacketBatch {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while free.isEmpty { pthread_cond_wait(&changed, &mutex) }
        return free.removeLast()
    }

    func push(_ batch: PacketBatch) {
        pthread_mutex_lock(&mutex)
        while full.count >= depth && !closed { pthread_cond_wait(&changed, &mutex) }
        full.append(batch)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    /// The next filled batch, or nil once the queue is closed and drained.
    func pop() -> PacketBatch? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while full.isEmpty && !closed { pthread_cond_wait(&changed, &mutex) }
        if full.isEmpty { return nil }
        let b = full.removeFirst()
        pthread_cond_broadcast(&changed)
        return b
    }

    func recycle(_ batch: PacketBatch) {
        batch.reset()
        pthread_mutex_lock(&mutex)
        free.append(batch)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }
}
