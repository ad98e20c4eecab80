import Synchronization
import Testing
@testable import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#endif

/// The hand-over between a pipeline's two threads: every batch arrives once and in order
/// whoever is faster, and a waiting thread is woken when what it asked for has happened, not
/// for every batch.
@Suite struct BatchQueueTests {
    final class Numbered: ReusableBatch, @unchecked Sendable {
        var number = -1
        func reset() { number = -1 }
    }

    /// A number both threads see.
    final class Cell: Sendable {
        private let atomic: Atomic<Int>
        init(_ value: Int) { atomic = Atomic(value) }
        var value: Int { atomic.load(ordering: .sequentiallyConsistent) }
        func set(_ v: Int) { atomic.store(v, ordering: .sequentiallyConsistent) }
    }

    /// Polls `condition` for up to five seconds.
    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<5_000 {
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }

    @Test("every batch once and in order, with either thread the slower one", arguments: [(0, 0), (0, 3), (3, 0)])
    func orderAndCompleteness(producerPause: Int, consumerPause: Int) throws {
        let queue = BatchQueue<Numbered>(depth: 4) { Numbered() }
        let count = 3_000
        let producer = try WorkerThread {
            for n in 0..<count {
                let b = queue.take()
                b.number = n
                queue.push(b)
                if producerPause > 0, n % 97 == 0 { usleep(UInt32(producerPause * 1_000)) }
            }
            queue.close()
        }
        var seen: [Int] = []
        var popped = 0
        // Alternate the two ways of waiting.
        while let b = popped % 2 == 0 ? queue.pop(waitingFor: 3) : queue.pop() {
            seen.append(b.number)
            queue.recycle(b)
            popped += 1
            if consumerPause > 0, popped % 89 == 0 { usleep(UInt32(consumerPause * 1_000)) }
        }
        producer.join()
        #expect(seen == Array(0..<count))
        #expect(queue.pop() == nil && queue.pop(waitingFor: 3) == nil)
    }

    @Test("a consumer that asked for three batches sleeps through the first two; closing wakes it with what there is")
    func consumerWokenAtItsMinimum() throws {
        let queue = BatchQueue<Numbered>(depth: 8) { Numbered() }
        let got = Cell(-2)
        let consumer = try WorkerThread {
            let b = queue.pop(waitingFor: 3)
            got.set(b?.number ?? -1)
        }
        #expect(Self.eventually { queue.consumerIsWaiting })
        for n in 0..<2 {
            let b = queue.take()
            b.number = n
            queue.push(b)
        }
        usleep(100_000)
        #expect(got.value == -2, "woken before its third batch")
        let b = queue.take()
        b.number = 2
        queue.push(b)
        #expect(Self.eventually { got.value == 0 })
        consumer.join()

        // Closed with fewer than asked for: woken, and the batches still come out.
        let second = Cell(-2)
        let late = try WorkerThread {
            var numbers: [Int] = []
            while let b = queue.pop(waitingFor: 8) { numbers.append(b.number) }
            second.set(numbers == [1, 2] ? 1 : 0)
        }
        #expect(Self.eventually { queue.consumerIsWaiting })
        queue.close()
        #expect(Self.eventually { second.value == 1 })
        late.join()
    }

    @Test("a producer that found the queue full sleeps until it is half empty")
    func producerWokenAtHalf() throws {
        let depth = 4
        let queue = BatchQueue<Numbered>(depth: depth) { Numbered() }
        for n in 0..<depth {
            let b = queue.take()
            b.number = n
            queue.push(b)
        }
        let pushed = Cell(0)
        let producer = try WorkerThread {
            let b = queue.take()
            b.number = depth
            queue.push(b)
            pushed.set(1)
        }
        usleep(50_000)
        #expect(pushed.value == 0, "pushed into a full queue")
        var numbers = [queue.pop()!.number]
        usleep(100_000)
        #expect(pushed.value == 0, "woken with the queue three quarters full")
        numbers.append(queue.pop()!.number)
        #expect(Self.eventually { pushed.value == 1 })
        producer.join()
        queue.close()
        while let b = queue.pop() { numbers.append(b.number) }
        #expect(numbers == Array(0...depth))
    }

    @Test("a producer waiting for its batches to be finished returns once the consumer is done with the last one, not before")
    func waitUntilFinished() throws {
        let queue = BatchQueue<Numbered>(depth: 4) { Numbered() }
        queue.waitUntilFinished()  // nothing pushed: returns at once
        // What the consumer did with each batch, written by it and read here after the wait.
        let done = Cell(0)
        let release = Cell(0)
        let consumer = try WorkerThread {
            while let b = queue.pop() {
                // Holds the third batch until told to go on.
                if b.number == 2 { while release.value == 0 { usleep(1_000) } }
                done.set(b.number + 1)
                queue.finished(b)
            }
        }
        for n in 0..<3 {
            let b = queue.take()
            b.number = n
            queue.push(b)
        }
        let waited = Cell(-1)
        let producer = try WorkerThread {
            queue.waitUntilFinished()
            waited.set(done.value)
        }
        #expect(Self.eventually { done.value == 2 })
        usleep(50_000)
        #expect(waited.value == -1, "returned while the consumer still held a batch")
        release.set(1)
        #expect(Self.eventually { waited.value == 3 }, "returns after the last batch, having seen what was done with it")
        producer.join()
        queue.close()
        consumer.join()
    }
}
