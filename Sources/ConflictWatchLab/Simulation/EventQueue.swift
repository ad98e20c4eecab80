import ConflictWatchCore

/// A binary min-heap of jobs by (time, insertion order): the simulator's clock. Equal times
/// come out in the order they were scheduled, so a run is the same on every platform.
struct EventQueue: Sendable {
    private struct Entry: Sendable {
        var time: Int64
        var seq: UInt64
        var job: SimulationJob
        func before(_ o: Entry) -> Bool { (time, seq) < (o.time, o.seq) }
    }

    private var heap: [Entry] = []
    private var nextSeq: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ job: SimulationJob, at time: Int64) {
        heap.append(Entry(time: time, seq: nextSeq, job: job))
        nextSeq &+= 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].before(heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (time: Int64, job: SimulationJob)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count, heap[l].before(heap[m]) { m = l }
            if r < heap.count, heap[r].before(heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return (top.time, top.job)
    }
}
