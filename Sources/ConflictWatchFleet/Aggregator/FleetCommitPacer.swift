/// When the leader commits the fleet's results with the model's state (which every commit
/// rewrites whole):
/// - at most once a second while summaries keep coming, and then only once the work since the
///   last commit has gone on for 0.2 s: after a quiet time, the agents' shipments of one moment
///   arrive over a tenth of a second or so, and the first of them committed alone would make the
///   rest wait a second for the next commit;
/// - sooner, as soon as a look finds nothing new (0.2 s after the last commit at the earliest),
///   when the leader has been working through a backlog: the fleet's results (and alerts) are
///   then as fresh as the agents' shipping rather than up to a second behind it. A leader that
///   mostly waits, keeping up with a trickle, commits once a second.
struct FleetCommitPacer {
    /// While summaries keep coming, a commit at most this often, in seconds.
    static let busyInterval = 1.0
    /// After a backlog, the earliest commit after the last, in seconds.
    static let caughtUpInterval = 0.2
    /// The share of the time since the last commit the leader must have been busy for a look
    /// that finds nothing new to commit early.
    static let busyShare = 0.5

    private(set) var lastCommit = -Double.infinity
    /// Seconds since the last commit spent in steps that worked (each step measured from its
    /// start to the next step's start: the leader goes straight on after a step that worked).
    private(set) var busySeconds = 0.0
    /// The start of the last step, if it worked.
    private var workingSince: Double?
    /// The start of the first step since the last commit that worked.
    private var workingFrom: Double?

    /// A step starts at `now`: the one before, if it worked, lasted until now.
    mutating func stepStarts(at now: Double) {
        if let since = workingSince { busySeconds += max(0, now - since) }
        workingSince = nil
    }

    /// The step started at `start` took something in or released something.
    mutating func stepWorked(startedAt start: Double) {
        workingSince = start
        if workingFrom == nil { workingFrom = start }
    }

    /// Whether something accounted should be committed at `now`; `caughtUp`: the step's look
    /// found nothing new. Times are compared as the sums `nextDue` gives, so a look at exactly
    /// that time is due (a difference would miss it by a rounding).
    func isDue(now: Double, caughtUp: Bool) -> Bool {
        let gathered = workingFrom.map { now >= $0 + Self.caughtUpInterval } ?? true
        if now >= lastCommit + Self.busyInterval && gathered { return true }
        return caughtUp && now >= lastCommit + Self.caughtUpInterval && busySeconds >= Self.busyShare * (now - lastCommit)
    }

    /// When a leader that has caught up should look again to commit what it accounted: 0.2 s
    /// after the last commit if it was busy enough for that, else a second after it (and 0.2 s
    /// into the work).
    func nextDue(now: Double) -> Double {
        let early = lastCommit + Self.caughtUpInterval
        if now < early && busySeconds >= Self.busyShare * Self.caughtUpInterval { return early }
        return max(lastCommit + Self.busyInterval, (workingFrom ?? -.infinity) + Self.caughtUpInterval)
    }

    mutating func committed(at now: Double) {
        lastCommit = now
        busySeconds = 0
        workingFrom = nil
    }
}
