import ConflictWatchCore

/// The work items behind `PATCH /api/workflows/{id}/state`: each goes through three
/// transitions (new → triaged → approved → done); a transition names the state it starts from
/// and gets 409 when the item is no longer in it (someone else moved it first).
///
/// Back-office workers all look at the same inbox — the oldest open items — and pick one of
/// its first `inboxWidth`. Workers join through the log (a shift filling up), so more of them
/// pick the same items at once and the route's 409s rise slowly: a trend, not a burst.
struct WorkflowBoard: Sendable {
    static let stages = 3
    static let inboxWidth = 25
    static let backlog = 200
    static let workersAtStart = 4
    static let workersAtEnd = 20
    /// Pause between two tasks of one worker, seconds.
    static let pause = 2.0...5.0
    static let habit = EditHabit(thinkMedian: 3, thinkSigma: 0.5, retryProbability: 0.7, backoff: 1...2, maxAttempts: 3)
    static let agent = "backoffice-ui/2.3 (+intranet)"

    /// Item indices still open, oldest first.
    private(set) var open: [Int]
    private var next: Int
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        open = Array(0..<min(Self.backlog, capacity))
        next = open.count
    }

    /// The item a worker takes: any of the first `inboxWidth` open ones.
    func pick(_ rng: inout SimulationRandom) -> Int? {
        guard !open.isEmpty else { return nil }
        return open[rng.below(min(Self.inboxWidth, open.count))]
    }

    /// The item reached its last state: it leaves the inbox and a new one arrives at the back.
    mutating func finished(_ item: Int) {
        guard let k = open.firstIndex(of: item) else { return }
        open.remove(at: k)
        if next < capacity {
            open.append(next)
            next += 1
        }
    }

    /// When the `k`-th worker (0-based) starts, seconds into a log of `duration`: the first
    /// `workersAtStart` at once, the others evenly through the log.
    static func joinTime(_ k: Int, duration: Double) -> Double {
        guard k >= workersAtStart else { return 0 }
        return Double(k - workersAtStart + 1) * duration / Double(workersAtEnd - workersAtStart + 1)
    }
}
