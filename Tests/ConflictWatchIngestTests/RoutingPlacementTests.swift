import Testing
@testable import ConflictWatchIngest

/// Where `analyze` routes: the rule that moves routing to the accounting thread, and the
/// measurement around it (warm-up, windows judged by their medians, three in a row, a horizon).
@Suite struct RoutingPlacementTests {
    /// Drives `placement` the way the reading thread does: per batch, the reading thread's work
    /// (routing included) and its routing, and one accounting report; returns the batch at which
    /// routing moved, if it did.
    static func run(
        _ placement: inout RoutingPlacement, batches: Int,
        times: (Int) -> (reading: UInt64, routing: UInt64, accounting: UInt64)
    ) -> Int? {
        for b in 0..<batches {
            let t = times(b)
            switch placement.filled(readerNanos: t.reading - t.routing) {
            case .route: placement.routed(nanos: t.routing)
            case .handOver: return b
            case .pass: Issue.record("a batch passed before the hand-over")
            }
            placement.accounted(nanos: t.accounting)
        }
        return nil
    }

    // Per-batch times (µs → ns) like the bench's logs: a JSON log's reading thread is busier.
    static let json = (reading: UInt64(165_000), routing: UInt64(23_000), accounting: UInt64(81_000))
    static let combined = (reading: UInt64(107_000), routing: UInt64(24_000), accounting: UInt64(78_000))

    @Test func theRuleMovesRoutingOnlyWhenTheBusierThreadGetsQuicker() {
        // JSON: 165 → max(142, 81 + 1.5 × 23 = 115.5): 14 % quicker.
        #expect(RoutingPlacement.moves(reader: 165, routing: 23, accounting: 81))
        // Combined: max(83, 78 + 36) = 114 is slower than 107.
        #expect(!RoutingPlacement.moves(reader: 107, routing: 24, accounting: 78))
        // The accounting thread is the busier one already: routing there only makes it worse.
        #expect(!RoutingPlacement.moves(reader: 90, routing: 20, accounting: 120))
        // Quicker, but by less than the 5 % a move must gain: 100 → max(90, 60 + 1.5 × 10 = 75) = 90 moves;
        // 100 → 96 does not.
        #expect(RoutingPlacement.moves(reader: 100, routing: 10, accounting: 60))
        #expect(!RoutingPlacement.moves(reader: 100, routing: 4, accounting: 60))
        // The extra cost on the accounting thread counts: without it, this would move.
        #expect(!RoutingPlacement.moves(reader: 100, routing: 20, accounting: 75))
    }

    @Test func aJSONLikeRunMovesAfterWarmUpAndThreeWindows() throws {
        var p = RoutingPlacement()
        let moved = try #require(Self.run(&p, batches: 2_000) { _ in Self.json })
        let w = RoutingPlacement.windowBatches
        #expect(moved == RoutingPlacement.warmUpBatches + RoutingPlacement.windowsToMove * w, "moved at \(moved)")
        #expect(!p.readerRoutes)
        #expect(p.filled(readerNanos: 1) == .pass)
    }

    @Test func aCombinedLikeRunKeepsRoutingOnTheReadingThread() {
        var p = RoutingPlacement()
        #expect(Self.run(&p, batches: 4_000) { _ in Self.combined } == nil)
        #expect(p.readerRoutes)
    }

    @Test func theSlowStartOfTheAccountingThreadIsNotJudged() {
        // The accounting thread takes 300 µs per batch while the tables grow: judged, those
        // batches would keep routing where it is; the JSON-like steady state after them moves it.
        var p = RoutingPlacement()
        let moved = Self.run(&p, batches: 2_000) { b in
            b < RoutingPlacement.warmUpBatches ? (165_000, 23_000, 300_000) : Self.json
        }
        #expect(moved == RoutingPlacement.warmUpBatches + RoutingPlacement.windowsToMove * RoutingPlacement.windowBatches)
    }

    @Test func aFewSlowBatchesDoNotMoveIt() {
        // Combined traffic where every fourth batch of the reading thread runs at half speed
        // (a noisy VM): the windows' medians stay the steady cost, a mean would move routing.
        var p = RoutingPlacement()
        let moved = Self.run(&p, batches: 4_000) { b in
            b % 4 == 0 ? (Self.combined.reading * 2, Self.combined.routing * 2, Self.combined.accounting) : Self.combined
        }
        #expect(moved == nil)
        let mean = (Double(Self.combined.reading) * 5 / 4, Double(Self.combined.routing) * 5 / 4)
        #expect(RoutingPlacement.moves(reader: mean.0, routing: mean.1, accounting: Double(Self.combined.accounting)),
                "the test's noise must be enough to move a mean")
    }

    @Test func twoWindowsInARowAreNotEnough() {
        // A noisy stretch as long as two windows, otherwise combined traffic.
        var p = RoutingPlacement()
        let start = RoutingPlacement.warmUpBatches + 1
        let noisy = start..<(start + 2 * RoutingPlacement.windowBatches)
        let moved = Self.run(&p, batches: 4_000) { b in noisy.contains(b) ? Self.json : Self.combined }
        #expect(moved == nil)
    }

    @Test func nothingIsDecidedAfterTheHorizon() {
        var p = RoutingPlacement()
        let moved = Self.run(&p, batches: 6_000) { b in b < RoutingPlacement.decisionBatches ? Self.combined : Self.json }
        #expect(moved == nil)
    }

    @Test func theFixedPolicies() {
        var reader = RoutingPlacement(policy: .reader)
        #expect(Self.run(&reader, batches: 3_000) { _ in Self.json } == nil)
        var forced = RoutingPlacement(policy: .accounting(fromBatch: 7))
        #expect(Self.run(&forced, batches: 100) { _ in Self.combined } == 7)
        var first = RoutingPlacement(policy: .accounting(fromBatch: 0))
        #expect(Self.run(&first, batches: 100) { _ in Self.combined } == 0)
    }
}
