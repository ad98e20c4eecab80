import ConflictWatchCore
import ConflictWatchStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Commits the pipeline's batches on a thread of its own while the pipeline goes on
/// accounting. A commit in the middle of a backlog (a day's buckets, a fleet summary into the
/// outbox) took 100–150 ms on the pipeline's task; the reading thread filled its queue and
/// stood still for the rest of it, so every commit was a stall of the whole ingest.
///
/// The pipeline hands over one batch (`submit`) and collects its outcome later (`poll`, or
/// `wait` when it must know). At most one batch is in flight, so commits stay in order and a
/// batch's checkpoints are always those of exactly the lines accounted before it.
final class StoreCommitter {
    struct Outcome: Sendable {
        /// The batch as handed over (its buffers go back to whoever filled them).
        var batch: StoreBatch
        var result: Result<CommitSummary, StoreError>
        var seconds: Double
    }

    /// What the two threads share, under one mutex.
    private final class Slot: @unchecked Sendable {
        private var mutex = pthread_mutex_t()
        private var changed = pthread_cond_t()
        private var job: StoreBatch?
        private var done: Outcome?
        private var closed = false

        init() {
            pthread_mutex_init(&mutex, nil)
            pthread_cond_init(&changed, nil)
        }

        deinit {
            pthread_cond_destroy(&changed)
            pthread_mutex_destroy(&mutex)
        }

        func put(_ batch: StoreBatch) {
            pthread_mutex_lock(&mutex)
            job = batch
            pthread_cond_broadcast(&changed)
            pthread_mutex_unlock(&mutex)
        }

        /// The committing thread's next batch; nil once closed with nothing left to do.
        func next() -> StoreBatch? {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            while job == nil && !closed { pthread_cond_wait(&changed, &mutex) }
            defer { job = nil }
            return job
        }

        func finish(_ outcome: Outcome) {
            pthread_mutex_lock(&mutex)
            done = outcome
            pthread_cond_broadcast(&changed)
            pthread_mutex_unlock(&mutex)
        }

        func take(waiting: Bool) -> Outcome? {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            while waiting && done == nil { pthread_cond_wait(&changed, &mutex) }
            defer { done = nil }
            return done
        }

        func close() {
            pthread_mutex_lock(&mutex)
            closed = true
            pthread_cond_broadcast(&changed)
            pthread_mutex_unlock(&mutex)
        }
    }

    private let slot = Slot()
    private var thread: WorkerThread?
    /// A batch was handed over and its outcome not yet collected.
    private(set) var inFlight = false

    /// `commit` runs on the committer's thread, one batch at a time.
    init(commit: @escaping @Sendable (StoreBatch) throws(StoreError) -> CommitSummary) throws(WorkerThreadError) {
        thread = try WorkerThread { [slot] in
            while true {
                guard let batch = slot.next() else { return }
                let started = SystemClock.monotonicSeconds()
                let result: Result<CommitSummary, StoreError>
                do throws(StoreError) { result = .success(try commit(batch)) } catch { result = .failure(error) }
                // Handed back, not kept: the owner reuses the batch's buffers (a fleet
                // summary's), which a copy still held here would make it copy.
                slot.finish(Outcome(batch: consume batch, result: result, seconds: SystemClock.monotonicSeconds() - started))
            }
        }
    }

    /// Hands `batch` to the committing thread; the previous outcome must have been collected.
    func submit(_ batch: StoreBatch) {
        precondition(!inFlight, "a commit is still in flight")
        inFlight = true
        slot.put(batch)
    }

    /// The outcome of the batch in flight if it is done (nil when it is not, or none is).
    func poll() -> Outcome? { collect(waiting: false) }

    /// The outcome of the batch in flight, once done; nil at once when none is.
    func wait() -> Outcome? { collect(waiting: true) }

    private func collect(waiting: Bool) -> Outcome? {
        guard inFlight, let outcome = slot.take(waiting: waiting) else { return nil }
        inFlight = false
        return outcome
    }

    deinit {
        // The batch in flight, if any, is still committed: its checkpoints match its lines.
        slot.close()
        thread?.join()
    }
}
