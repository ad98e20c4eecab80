import ConflictWatchCore

/// Which of `analyze`'s two threads resolves routes. The busier thread sets the pace, and how
/// much each one has to do depends on the input: a line of nginx's combined format is quick to
/// parse, and routing on the reading thread leaves the two nearly balanced; a JSON line or a
/// custom `log_format` takes longer to parse, and the accounting thread then waits for every
/// batch while the reading thread also routes. Measured on the bench's 2 M-line logs with the
/// routing on the accounting thread from the start: JSON 711 → 624 ms, a custom format 626 →
/// 543 ms, combined 468 → 504 ms (the wrong way), captures unchanged.
///
/// So the reading thread starts routing, and times, per batch, its own work (reading, parsing,
/// hashing, the copy into the batch), its routing and — reported back on the batches the
/// accounting thread returns — the accounting thread's work. Window by window it asks whether
/// the busier thread's time per batch would drop by enough with routing on the accounting
/// thread, at the extra cost routing has there; after three windows in a row say so, routing
/// moves, once: the route resolver travels to the accounting thread with a batch, so routes are
/// still resolved in input order by one resolver, and the report is the one a single thread
/// gives. Each window is judged by its medians: on this VM a thread now and then runs at half
/// speed for a few milliseconds, and a mean would read that as the thread's cost. Only the
/// first `decisionBatches` are judged, so a long run's placement is settled early and noise
/// later on cannot move it.
struct RoutingPlacement {
    enum Policy: Equatable, Sendable {
        /// Decide from the measured times (the default).
        case measured
        /// Always on the reading thread.
        case reader
        /// Move at the given batch (tests of the move itself).
        case accounting(fromBatch: Int)
    }

    /// What the reading thread does with the batch it just filled.
    enum Action: Equatable {
        /// Route it, and report the time with `routed(nanos:)`.
        case route
        /// Hand it over unrouted with the resolver: the accounting thread routes from now on.
        case handOver
        /// Hand it over unrouted: the accounting thread routes.
        case pass
    }

    /// When the reading thread's current batch started filling (its waits for an empty one
    /// not counted).
    struct Clock {
        var started = SystemClock.monotonicNanos()
    }

    /// Batches not judged: while the model's tables grow, the accounting thread takes up to
    /// three times as long over a batch as it will later (measured on the bench's logs).
    static let warmUpBatches = 64
    static let windowBatches = 64
    static let windowsToMove = 3
    /// No decision after this many batches (half a million lines).
    static let decisionBatches = 1_024
    /// Routing costs more on the accounting thread than on the reading thread: its caches hold
    /// the model's tables, not the route table, and the reading thread asked for each path's
    /// cache slot a whole batch before the lookup. From the bench's combined log: routing took
    /// 23 µs of the reading thread's 106 µs per batch, the accounting thread 77 µs, and with
    /// routing moved the run took 8 % longer — about 1.6 times the routing time there.
    static let accountingRoutingCost = 1.5
    /// The busier thread's time per batch must drop by this share at least.
    static let minimumGain = 0.05

    let policy: Policy
    private(set) var readerRoutes = true
    private var filledBatches = 0
    private var accountedBatches = 0
    /// Consecutive windows that said to move.
    private var agreeing = 0
    /// This window's per-batch times: the reading thread's own work, its routing, the
    /// accounting thread's work (that one as reported, which lags by the batches in flight).
    private var reading: [UInt64] = []
    private var routing: [UInt64] = []
    private var accounting: [UInt64] = []
    private var pendingReading: UInt64 = 0

    init(policy: Policy = .measured) {
        self.policy = policy
        if policy == .measured {
            reading.reserveCapacity(Self.windowBatches)
            routing.reserveCapacity(Self.windowBatches)
            accounting.reserveCapacity(Self.windowBatches)
        }
    }

    private var judging: Bool {
        policy == .measured && readerRoutes && filledBatches >= Self.warmUpBatches && filledBatches < Self.decisionBatches
    }

    /// The reading thread filled its next batch in `nanos` (its waits not counted).
    mutating func filled(readerNanos nanos: UInt64) -> Action {
        defer { filledBatches += 1 }
        guard readerRoutes else { return .pass }
        switch policy {
        case .reader:
            return .route
        case .accounting(fromBatch: let n):
            guard filledBatches >= n else { return .route }
            readerRoutes = false
            return .handOver
        case .measured:
            guard judging else { return .route }
            if routing.count >= Self.windowBatches, accounting.count >= Self.windowBatches / 2 {
                let move = Self.moves(
                    reader: Self.median(&reading), routing: Self.median(&routing), accounting: Self.median(&accounting))
                agreeing = move ? agreeing + 1 : 0
                reading.removeAll(keepingCapacity: true)
                routing.removeAll(keepingCapacity: true)
                accounting.removeAll(keepingCapacity: true)
                if agreeing >= Self.windowsToMove {
                    readerRoutes = false
                    return .handOver
                }
            }
            pendingReading = nanos
            return .route
        }
    }

    /// The reading thread routed the batch `filled` told it to in `nanos`.
    mutating func routed(nanos: UInt64) {
        guard judging, filledBatches > Self.warmUpBatches, routing.count < Self.windowBatches else { return }
        reading.append(pendingReading &+ nanos)
        routing.append(nanos)
    }

    /// The accounting thread took `nanos` over a batch (reported on a batch it gave back).
    mutating func accounted(nanos: UInt64) {
        accountedBatches += 1
        guard judging, accountedBatches > Self.warmUpBatches, accounting.count < Self.windowBatches else { return }
        accounting.append(nanos)
    }

    static func median(_ values: inout [UInt64]) -> Double {
        values.sort()
        return Double(values[values.count / 2])
    }

    /// Whether moving routing (`routing` of the reading thread's `reader` time per batch) to
    /// the accounting thread, where it costs `accountingRoutingCost` times as much, shortens the
    /// busier thread's time per batch by at least `minimumGain`.
    static func moves(reader: Double, routing: Double, accounting: Double) -> Bool {
        let before = max(reader, accounting)
        let after = max(reader - routing, accounting + routing * accountingRoutingCost)
        return after < before * (1 - minimumGain)
    }
}
