import Testing
@testable import ConflictWatchFleet

/// When the leader commits: the steps' times are given, so each case's busy share is computed
/// by hand in its comment.
@Suite struct FleetCommitPacerTests {
    /// Steps that each worked, back to back from `from` in steps of `every`, the last starting
    /// at `until` (which is left open: its own time counts from the next step on).
    static func worked(_ pacer: inout FleetCommitPacer, from: Double, until: Double, every: Double) {
        var t = from
        while t <= until + 1e-9 {
            look(&pacer, at: t, worked: true)
            t += every
        }
    }

    /// A step starting at `t` that took in or released something, or not.
    static func look(_ pacer: inout FleetCommitPacer, at t: Double, worked: Bool) {
        pacer.stepStarts(at: t)
        if worked { pacer.stepWorked(startedAt: t) }
    }

    /// Busy without a pause: a commit a second (the work began 0.9 s before).
    @Test func busyCommitsComeOnceASecond() {
        var pacer = FleetCommitPacer()
        pacer.committed(at: 5)
        Self.worked(&pacer, from: 5.1, until: 5.9, every: 0.1)
        Self.look(&pacer, at: 5.95, worked: true)
        #expect(!pacer.isDue(now: 5.95, caughtUp: false), "summaries keep coming: not within the second")
        Self.look(&pacer, at: 6, worked: true)
        #expect(pacer.isDue(now: 6, caughtUp: false), "a second after the last")
    }

    /// After a quiet time (or at the very start), the first look that finds summaries is not
    /// committed alone: the rest of that moment's shipments go with it, 0.2 s into the work.
    @Test func theFirstLookAfterAQuietTimeIsNotCommittedAlone() {
        var pacer = FleetCommitPacer()
        Self.look(&pacer, at: 10, worked: true)
        #expect(!pacer.isDue(now: 10, caughtUp: false), "the first look of a burst")
        pacer.stepStarts(at: 10.01)
        #expect(!pacer.isDue(now: 10.01, caughtUp: true), "nothing more yet")
        Self.look(&pacer, at: 10.08, worked: true)
        #expect(!pacer.isDue(now: 10.08, caughtUp: false), "the rest of it")
        pacer.stepStarts(at: 10.09)
        #expect(!pacer.isDue(now: 10.09, caughtUp: true))
        #expect(pacer.nextDue(now: 10.09) == 10 + FleetCommitPacer.caughtUpInterval, "the aggregator wakes then")
        pacer.stepStarts(at: 10 + FleetCommitPacer.caughtUpInterval)
        #expect(pacer.isDue(now: 10 + FleetCommitPacer.caughtUpInterval, caughtUp: true), "all of it in one commit")
        var longer = FleetCommitPacer()
        longer.committed(at: 0)
        Self.worked(&longer, from: 10, until: 10.15, every: 0.05)
        #expect(!longer.isDue(now: 10.15, caughtUp: false))
        Self.look(&longer, at: 10.25, worked: true)
        #expect(longer.isDue(now: 10.25, caughtUp: false), "0.25 s into the work, still coming in")
    }

    /// Busy all of the 0.3 s since the last commit: the look that finds nothing new commits at
    /// once, but never sooner than 0.2 s after the last.
    @Test func aLeaderThatCaughtUpWithABacklogCommitsAtOnce() {
        var pacer = FleetCommitPacer()
        pacer.committed(at: 10)
        Self.worked(&pacer, from: 10, until: 10.1, every: 0.05)
        pacer.stepStarts(at: 10.15)
        #expect(abs(pacer.busySeconds - 0.15) < 1e-9)
        #expect(!pacer.isDue(now: 10.15, caughtUp: true), "0.15 s after the last commit: too soon")
        var later = FleetCommitPacer()
        later.committed(at: 10)
        Self.worked(&later, from: 10, until: 10.25, every: 0.05)
        later.stepStarts(at: 10.3)
        #expect(abs(later.busySeconds - 0.3) < 1e-9)
        #expect(later.isDue(now: 10.3, caughtUp: true), "busy 0.3 of 0.3 s, caught up")
        #expect(!later.isDue(now: 10.3, caughtUp: false), "still taking summaries in: once a second")
    }

    /// A look that found nothing while the watermark waited for a slow agent (0.5 s, then a
    /// wait until 0.6 s) does not make the backlog around it a trickle: busy 0.5 + 0.3 = 0.8
    /// of 0.9 s. (The rule before counted a backlog from the last such look on, and asked for
    /// a second of it: in the fleet bench the last results then waited for the once-a-second
    /// commit.)
    @Test func aLookThatWaitedForTheWatermarkDoesNotEndABacklog() {
        var pacer = FleetCommitPacer()
        pacer.committed(at: 0)
        Self.worked(&pacer, from: 0, until: 0.45, every: 0.05)
        pacer.stepStarts(at: 0.5)  // found nothing new and released nothing: waits
        Self.worked(&pacer, from: 0.6, until: 0.85, every: 0.05)
        pacer.stepStarts(at: 0.9)
        #expect(abs(pacer.busySeconds - 0.8) < 1e-9, "\(pacer.busySeconds)")
        #expect(pacer.isDue(now: 0.9, caughtUp: true))
    }

    /// A trickle: a short step per shipment (10 ms each, four in 0.8 s) is busy 5 % of the
    /// time: once a second, not at every look that finds nothing.
    @Test func aLeaderThatKeepsUpWithATrickleCommitsOnceASecond() {
        var pacer = FleetCommitPacer()
        pacer.committed(at: 20)
        for start in [20.1, 20.3, 20.5, 20.7] {
            Self.look(&pacer, at: start, worked: true)
            pacer.stepStarts(at: start + 0.01)
            #expect(!pacer.isDue(now: start + 0.01, caughtUp: true), "at \(start + 0.01)")
        }
        #expect(abs(pacer.busySeconds - 0.04) < 1e-9)
        pacer.stepStarts(at: 21)
        #expect(pacer.isDue(now: 21, caughtUp: true))
    }

    @Test func aCommitStartsTheCountAgain() {
        var pacer = FleetCommitPacer()
        pacer.committed(at: 0)
        Self.worked(&pacer, from: 0, until: 0.25, every: 0.05)
        pacer.stepStarts(at: 0.3)
        #expect(pacer.isDue(now: 0.3, caughtUp: true))
        pacer.committed(at: 0.3)
        #expect(pacer.busySeconds == 0)
        pacer.stepStarts(at: 0.55)
        #expect(!pacer.isDue(now: 0.55, caughtUp: true), "idle since the commit")
    }

    /// When a caught-up leader looks again to commit: 0.2 s after the last commit when it was
    /// busy enough by then (0.15 s ≥ half of 0.2 s), else a second after it.
    @Test func aCaughtUpLeaderLooksAgainWhenACommitComesDue() {
        var busy = FleetCommitPacer()
        busy.committed(at: 0)
        Self.worked(&busy, from: 0, until: 0.1, every: 0.05)
        busy.stepStarts(at: 0.15)
        #expect(busy.nextDue(now: 0.15) == 0.2)
        #expect(busy.nextDue(now: 0.25) == 1.0, "past 0.2 s and not due then: the second")
        var idle = FleetCommitPacer()
        idle.committed(at: 0)
        Self.look(&idle, at: 0.15, worked: true)
        idle.stepStarts(at: 0.16)
        #expect(idle.nextDue(now: 0.16) == 1.0, "busy 0.01 s: a trickle")
    }
}
