import ConflictWatchCore

/// The named traffic scenarios of `simulate` (SPEC §2). Each is the same realistic background
/// API traffic — warm orders, single-writer carts and profiles, steadily contended counters,
/// unversioned notes, documents some of which are locked — with zero or more injected events,
/// and for some a slow trend underneath.
public enum Scenario: String, CaseIterable, Sendable {
    case steady
    case retryStorm = "retry-storm"
    case duplicateCreate = "duplicate-create"
    case deployRegression = "deploy-regression"
    case flashSale = "flash-sale"
    case mixed
    case trendRush = "trend-rush"
    case trendRegression = "trend-regression"
    case stormAmongConflicts = "storm-among-conflicts"
    case realistic

    /// Long enough for ≥ 10 minutes of warm-up before the first event; steady and realistic
    /// are an hour so that a rate per hour means something.
    public var defaultDurationSeconds: Int {
        switch self {
        case .steady, .realistic: 3600
        case .mixed: 4800
        default: 1800
        }
    }

    /// Below this the events would not fit after a few minutes of warm-up.
    public var minimumDurationSeconds: Int {
        switch self {
        case .steady: 60
        case .mixed: 1200
        case .realistic: 2400
        case .trendRush, .trendRegression: 900
        default: 600
        }
    }

    public var summary: String {
        switch self {
        case .steady: "background traffic only (incl. steadily contended counters, unversioned notes, locked documents)"
        case .retryStorm: "one client replays a stale If-Match on one order without back-off for 1–3 min"
        case .duplicateCreate: "one client repeats the same POST /api/orders for 1–3 min (409 from a unique key)"
        case .deployRegression: "a deploy makes one route answer 409 to 20–40% of all writes, usually rolled back"
        case .flashSale: "one product's stock becomes a hot spot as buyers ramp up over 3–5 min"
        case .mixed: "a retry storm, a flash sale, a deploy regression and duplicate creates, spread over the log"
        case .trendRush: "booking conflicts rise slowly as slots fill up; then 12 clients fight over 3 released slots for ~20 s"
        case .trendRegression: "workflow conflicts rise slowly as workers join; then every transition answers 409 for ~25 s"
        case .stormAmongConflicts: "one client replays a stale counter version without back-off among the counters' many normal conflicts"
        case .realistic: "an hour with both trends and seven incidents, spaced out, and a restart time mid-incident"
        }
    }

    /// The events and background processes to put into a log of `duration` seconds.
    func plan(duration d: Double, rng: inout SimulationRandom) -> ScenarioPlan {
        // At most 15 minutes of warm-up, at least half the log; jittered so events do not
        // start on bucket boundaries.
        let single = min(900, d / 2) + rng.uniform(0, min(60, d / 10))
        // Trend scenarios put their step late, so that many minutes of trend come first.
        let late = 0.7 * d + rng.uniform(0, min(60, d / 10))
        switch self {
        case .steady:
            return ScenarioPlan(events: [])
        case .retryStorm:
            return ScenarioPlan(events: [.retryStorm(Self.retryStorm(at: single, &rng))])
        case .duplicateCreate:
            return ScenarioPlan(events: [.duplicateCreate(Self.duplicateCreate(at: single, &rng))])
        case .deployRegression:
            return ScenarioPlan(events: [.deployRegression(Self.deployRegression(at: single, duration: d, &rng))])
        case .flashSale:
            return ScenarioPlan(events: [.flashSale(Self.flashSale(at: single, &rng))])
        case .mixed:
            let at = [0.18, 0.38, 0.60, 0.82].map { d * $0 + rng.uniform(0, 60) }
            let regression = InjectedEvent.DeployRegression(
                route: .carts, start: at[2], until: min(d, at[2] + rng.uniform(240, 420)), fraction: rng.uniform(0.2, 0.4))
            return ScenarioPlan(events: [
                .retryStorm(Self.retryStorm(at: at[0], &rng)),
                .flashSale(Self.flashSale(at: at[1], &rng)),
                .deployRegression(regression),
                .duplicateCreate(Self.duplicateCreate(at: at[3], &rng)),
            ])
        case .trendRush:
            return ScenarioPlan(events: [.bookingRush(Self.bookingRush(at: late, &rng))], processes: [.bookings])
        case .trendRegression:
            return ScenarioPlan(events: [.deployRegression(Self.workflowRegression(at: late, &rng))], processes: [.workflows])
        case .stormAmongConflicts:
            return ScenarioPlan(events: [.retryStorm(Self.counterStorm(at: single, &rng))], processes: [.counterFleet])
        case .realistic:
            // Seven incidents after a 15-minute warm-up (at 3600 s), a few minutes apart, each
            // over before the next starts on the same route.
            let at = [0.25, 0.32, 0.40, 0.55, 0.63, 0.79, 0.90].map { d * $0 + rng.uniform(0, 40) }
            let regression = Self.deployRegression(at: at[4], duration: d, rolledBack: true, &rng)
            return ScenarioPlan(
                events: [
                    .retryStorm(Self.retryStorm(at: at[0], &rng)),
                    .duplicateCreate(Self.duplicateCreate(at: at[1], &rng)),
                    .flashSale(Self.flashSale(at: at[2], &rng)),
                    .retryStorm(Self.counterStorm(at: at[3], &rng)),
                    .deployRegression(regression),
                    .deployRegression(Self.workflowRegression(at: at[5], &rng)),
                    .bookingRush(Self.bookingRush(at: at[6], &rng)),
                ],
                processes: [.bookings, .workflows, .counterFleet],
                // In the middle of the deploy regression (it lasts 4–8 min).
                restartAt: at[4] + rng.uniform(90, 150))
        }
    }

    static func retryStorm(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.RetryStorm {
        InjectedEvent.RetryStorm(
            start: start, seconds: rng.uniform(60, 180), interval: rng.uniform(0.2, 1.0),
            client: "203.0.113.\(1 + rng.below(254))", rank: rng.below(20))
    }

    /// A retry storm on the busiest counter, whose route conflicts all the time anyway.
    static func counterStorm(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.RetryStorm {
        InjectedEvent.RetryStorm(
            start: start, seconds: rng.uniform(60, 180), interval: rng.uniform(0.5, 1.5),
            client: "192.0.2.\(1 + rng.below(254))", route: .counters, rank: 0)
    }

    static func duplicateCreate(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.DuplicateCreate {
        InjectedEvent.DuplicateCreate(
            start: start, seconds: rng.uniform(60, 180), interval: rng.uniform(0.5, 2.0),
            client: "198.51.100.\(1 + rng.below(254))")
    }

    static func deployRegression(at start: Double, duration d: Double, rolledBack: Bool? = nil,
                                 _ rng: inout SimulationRandom) -> InjectedEvent.DeployRegression {
        let route: SimulatedRoute = rng.chance(0.5) ? .orders : .carts
        let back = rolledBack ?? rng.chance(0.7)
        let until: Double? = back ? start + rng.uniform(240, 480) : nil
        return .init(route: route, start: start, until: until.map { min($0, d) }, fraction: rng.uniform(0.2, 0.4))
    }

    /// A release breaks the workflow state machine: every transition answers 409 for ~25 s.
    static func workflowRegression(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.DeployRegression {
        .init(route: .workflows, start: start, until: start + rng.uniform(22, 28), fraction: 1)
    }

    static func bookingRush(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.BookingRush {
        .init(start: start, seconds: rng.uniform(18, 24), clients: 12, interval: 0.08...0.3)
    }

    static func flashSale(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.FlashSale {
        InjectedEvent.FlashSale(
            start: start, rampUp: rng.uniform(180, 300), rampDown: rng.uniform(90, 180),
            peakRate: rng.uniform(1.5, 3.0), productRank: 2000 + rng.below(3000))
    }
}
