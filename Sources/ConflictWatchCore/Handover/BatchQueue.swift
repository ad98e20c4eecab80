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
///
/// A thread is woken only when what it waits for has happened, and a waiting thread can ask to
/// be woken later rather than for every batch: a wake-up costs the waker a system call and an
/// interrupt of the other core. The producer that found the queue full sleeps until it is half
/// empty; a consumer for which latency does not matter (`pop(waitingFor:)`) until several
/// batches are ready. `analyze` of a 2 M-line log: the accounting thread is the faster one
/// and waited for nearly every one of its ~3,900 batches.
package final class BatchQueue<Batch: ReusableBatch>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var full: [Batch] = []
    private var free: [Batch] = []
    private var closed = false
    private let depth: Int
    /// The producer sleeps in `push` until `full` is down to `depth / 2`.
    private var producerWaitsForRoom = false
    /// The producer sleeps in `take` for an empty batch.
    private var producerWaitsForFree = false
    /// The consumer sleeps until `full` holds this many.
    private var consumerWaitsFor: Int?
    /// Batches pushed that the consumer has not yet given back through `finished`.
    private var unfinished = 0
    /// The producer sleeps in `waitUntilFinished`.
    private var producerWaitsForFinish = false

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
        while free.isEmpty {
            producerWaitsForFree = true
            pthread_cond_wait(&changed, &mutex)
        }
        producerWaitsForFree = false
        return free.removeLast()
    }

    package func push(_ batch: Batch) {
        pthread_mutex_lock(&mutex)
        if full.count >= depth {
            producerWaitsForRoom = true
            while full.count > depth / 2 && !closed { pthread_cond_wait(&changed, &mutex) }
            producerWaitsForRoom = false
        }
        full.append(batch)
        unfinished += 1
        if let wanted = consumerWaitsFor, full.count >= wanted { pthread_cond_broadcast(&changed) }
        pthread_mutex_unlock(&mutex)
    }

    /// The next filled batch, or nil once the queue is closed and drained. When none is ready,
    /// waits until `minimum` are (or the queue is closed): for a consumer that would rather
    /// take several batches per wake-up than each as soon as it is filled.
    package func pop(waitingFor minimum: Int = 1) -> Batch? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        if full.isEmpty && !closed {
            consumerWaitsFor = max(1, min(minimum, depth))
            while full.count < consumerWaitsFor! && !closed { pthread_cond_wait(&changed, &mutex) }
            consumerWaitsFor = nil
        }
        return removeFirst()
    }

    /// The next filled batch if one is ready, without waiting.
    package func tryPop() -> Batch? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return removeFirst()
    }

    /// With the mutex held.
    private func removeFirst() -> Batch? {
        if full.isEmpty { return nil }
        let b = full.removeFirst()
        if producerWaitsForRoom && full.count <= depth / 2 { pthread_cond_broadcast(&changed) }
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
        consumerWaitsFor = 1
        while full.isEmpty && !closed {
            if pthread_cond_timedwait(&changed, &mutex, &deadline) != 0 { break }
        }
        consumerWaitsFor = nil
        return !full.isEmpty
    }

    package func recycle(_ batch: Batch) { giveBack(batch, finished: false) }

    /// The consumer's `recycle` for a producer that waits for its batches to be done with
    /// (`waitUntilFinished`): a consumer that gives its batches back through `recycle` instead
    /// would leave such a producer waiting for ever.
    package func finished(_ batch: Batch) { giveBack(batch, finished: true) }

    private func giveBack(_ batch: Batch, finished: Bool) {
        batch.reset()
        pthread_mutex_lock(&mutex)
        free.append(batch)
        if finished { unfinished -= 1 }
        if producerWaitsForFree || (producerWaitsForFinish && unfinished == 0) { pthread_cond_broadcast(&changed) }
        pthread_mutex_unlock(&mutex)
    }

    /// Waits until the consumer has `finished` every batch pushed so far: what it did with
    /// them is then visible to this thread (the mutex orders it), and whatever they pointed
    /// the consumer at is the caller's again.
    package func waitUntilFinished() {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        while unfinished > 0 {
            producerWaitsForFinish = true
            pthread_cond_wait(&changed, &mutex)
        }
        producerWaitsForFinish = false
    }

    /// Whether the consumer sleeps for batches now (for tests of who is woken when).
    package var consumerIsWaiting: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return consumerWaitsFor != nil
    }

    package func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }
}
