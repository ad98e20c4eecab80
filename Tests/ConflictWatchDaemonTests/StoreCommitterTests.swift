import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Synchronization
import Testing
@testable import ConflictWatchDaemon

/// The pipeline's committing thread: one batch in flight, its outcome collected later or
/// waited for, errors handed back rather than lost, every batch committed in order.
@Suite struct StoreCommitterTests {
    /// A batch told apart by its model state's size.
    func batch(_ n: Int) -> StoreBatch {
        var b = StoreBatch()
        b.modelState = [UInt8](repeating: 0, count: n)
        return b
    }

    @Test func outcomesComeBackInOrderAndOnlyOnce() throws {
        let seen = Mutex<[Int]>([])
        let gate = DispatchSemaphore(value: 0)
        let committer = try StoreCommitter { batch throws(StoreError) in
            gate.wait()
            seen.withLock { $0.append(batch.modelState?.count ?? 0) }
            return CommitSummary()
        }
        #expect(committer.poll() == nil && committer.wait() == nil, "nothing in flight")
        committer.submit(batch(1))
        #expect(committer.inFlight)
        usleep(20_000)
        #expect(committer.poll() == nil, "not done while the commit waits")
        gate.signal()
        let first = try #require(committer.wait())
        #expect(first.batch.modelState?.count ?? 0 == 1)
        #expect(!committer.inFlight && committer.poll() == nil, "collected once")
        committer.submit(batch(2))
        gate.signal()
        let deadline = Date().addingTimeInterval(5)
        var second: StoreCommitter.Outcome?
        while second == nil, Date() < deadline {
            second = committer.poll()
            usleep(1000)
        }
        #expect(second?.batch.modelState?.count ?? 0 == 2)
        #expect(seen.withLock { $0 } == [1, 2])
    }

    @Test func aFailedCommitHandsBackItsError() throws {
        let committer = try StoreCommitter { _ throws(StoreError) in throw StoreError("disk full") }
        committer.submit(batch(1))
        let outcome = try #require(committer.wait())
        guard case .failure(let error) = outcome.result else {
            Issue.record("the failure was lost")
            return
        }
        #expect(error.description == "disk full")
    }

    /// Dropped with a batch in flight (the pipeline gone after a failure elsewhere): the batch is
    /// still committed before the thread ends, so its checkpoints and lines stay together.
    @Test func aBatchInFlightIsCommittedBeforeTheThreadEnds() throws {
        let committed = Mutex(0)
        do {
            let committer = try StoreCommitter { _ throws(StoreError) in
                usleep(50_000)
                committed.withLock { $0 += 1 }
                return CommitSummary()
            }
            committer.submit(batch(1))
        }
        #expect(committed.withLock { $0 } == 1)
    }
}
