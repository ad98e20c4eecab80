/// The named traffic scenarios of `simulate` (SPEC §2). Each is the same realistic background
/// API traffic — warm orders, single-writer carts and profiles, steadily contended counters,
/// unversioned notes — with zero or more injected events.
public enum Scenario: String, CaseIterable, Sendable {
    case steady
    case retryStorm = "retry-storm"
    case duplicateCreate = "duplicate-create"
    case deployRegression = "deploy-regression"
    case flashSale = "flash-sale"
    case mixed

    /// Long enough for ≥ 10 minutes of warm-up before the first event; steady is an hour so
    /// that a false-alert rate per hour means something.
    public var defaultDurationSeconds: Int {
        switch self {
        case .steady: 3600
        case .mixed: 4800
        default: 1800
        }
    }

    /// Below this the events would not fit after a few minutes of warm-up.
    public var minimumDurationSeconds: Int {
        switch self {
        case .steady: 60
        case .mixed: 1200
        default: 600
        }
    }

    public var summary: String {
        switch self {
        case .steady: "background traffic only (incl. steadily contended counters and unversioned notes)"
        case .retryStorm: "one client replays a stale If-Match on one order without back-off for 1–3 min"
        case .duplicateCreate: "one client repeats the same POST /api/orders for 1–3 min (409 from a unique key)"
        case .deployRegression: "a deploy makes one route answer 409 to 20–40% of all writes, usually rolled back"
        case .flashSale: "one product's stock becomes a hot spot as buyers ramp up over 3–5 min"
        case .mixed: "a retry storm, a flash sale, a deploy regression and duplicate creates, spread over the log"
        }
    }

    /// The events to inject into a log of `duration` seconds.
    func plan(duration d: Double, rng: inout SimulationRandom) -> [InjectedEvent] {
        // At most 15 minutes of warm-up, at least half the log; jittered so events do not
        // start on bucket boundaries.
        let single = min(900, d / 2) + rng.uniform(0, min(60, d / 10))
        switch self {
        case .steady:
            return []
        case .retryStorm:
            return [.retryStorm(Self.retryStorm(at: single, &rng))]
        case .duplicateCreate:
            return [.duplicateCreate(Self.duplicateCreate(at: single, &rng))]
        case .deployRegression:
            let route: SimulatedRoute = rng.chance(0.5) ? .orders : .carts
            let until: Double? = rng.chance(0.7) ? single + rng.uniform(240, 480) : nil
            return [.deployRegression(.init(route: route, start: single, until: until.map { min($0, d) }, fraction: rng.uniform(0.2, 0.4)))]
        case .flashSale:
            return [.flashSale(Self.flashSale(at: single, &rng))]
        case .mixed:
            let at = [0.18, 0.38, 0.60, 0.82].map { d * $0 + rng.uniform(0, 60) }
            let regression = InjectedEvent.DeployRegression(
                route: .carts, start: at[2], until: min(d, at[2] + rng.uniform(240, 420)), fraction: rng.uniform(0.2, 0.4))
            return [
                .retryStorm(Self.retryStorm(at: at[0], &rng)),
                .flashSale(Self.flashSale(at: at[1], &rng)),
                .deployRegression(regression),
                .duplicateCreate(Self.duplicateCreate(at: at[3], &rng)),
            ]
        }
    }

    static func retryStorm(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.RetryStorm {
        InjectedEvent.RetryStorm(
            start: start, seconds: rng.uniform(60, 180), interval: rng.uniform(0.2, 1.0),
            client: "203.0.113.\(1 + rng.below(254))", orderRank: rng.below(20))
    }

    static func duplicateCreate(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.DuplicateCreate {
        InjectedEvent.DuplicateCreate(
            start: start, seconds: rng.uniform(60, 180), interval: rng.uniform(0.5, 2.0),
            client: "198.51.100.\(1 + rng.below(254))")
    }

    static func flashSale(at start: Double, _ rng: inout SimulationRandom) -> InjectedEvent.FlashSale {
        InjectedEvent.FlashSale(
            start: start, rampUp: rng.uniform(180, 300), rampDown: rng.uniform(90, 180),
            peakRate: rng.uniform(1.5, 3.0), productRank: 2000 + rng.below(3000))
    }
}
