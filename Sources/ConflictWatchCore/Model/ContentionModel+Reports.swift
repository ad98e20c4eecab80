#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the model reports: alerts, their changes for the daemon, the hot-spot ranking and the
/// learned baselines.
extension ContentionModel {
    /// Every alert the model holds (in `analyze`, every alert of the run), open and closed,
    /// ordered by start (SPEC §6).
    public func alerts(routeName: (String) -> String = { $0 }) -> [Alert] {
        let name = routeNamer(routeName)
        var out = bursts.values.map { AlertBuilder.burst($0, routeName: name, p: p) }
        out += hotspotGroups.values.map { AlertBuilder.hotspot($0, routeName: name, p: p) }
        out.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        return out
    }

    /// The alerts open now, the same ones `openAlertCount` counts (for `/metrics`' labelled
    /// series and whatever hides some of them, such as silences).
    public func openAlerts(routeName: (String) -> String = { $0 }) -> [Alert] {
        let name = routeNamer(routeName)
        var out = openBursts.compactMap { bursts[$0].map { AlertBuilder.burst($0, routeName: name, p: p) } }
        out += hotspotGroups.values.filter { $0.lifecycle.isOpen }.map { AlertBuilder.hotspot($0, routeName: name, p: p) }
        out.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        return out
    }

    func routeNamer(_ routeName: (String) -> String) -> (Int) -> String {
        let names = routes.map { routeName($0.name) }
        return { names[$0] }
    }

    /// What changed since the last call: the alerts whose report changed (to store) and the
    /// transitions (to tell), in the order they happened. Alerts closed for longer than the
    /// reopen window are dropped unless `keepsClosedAlerts`, so a daemon's memory stays bounded.
    public mutating func takeAlertChanges(routeName: (String) -> String = { $0 }) -> (alerts: [Alert], transitions: [AlertTransition]) {
        let name = routeNamer(routeName)
        var out = changedBursts.compactMap { bursts[$0].map { AlertBuilder.burst($0, routeName: name, p: p) } }
        out += changedGroups.compactMap { hotspotGroups[$0].map { AlertBuilder.hotspot($0, routeName: name, p: p) } }
        out.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        let events = transitions
        changedBursts.removeAll(keepingCapacity: true)
        changedGroups.removeAll(keepingCapacity: true)
        transitions.removeAll(keepingCapacity: true)
        if !keepsClosedAlerts { dropClosedAlerts() }
        return (out, events)
    }

    mutating func dropClosedAlerts() {
        for (h, s) in bursts where !s.lifecycle.isOpen && !s.lifecycle.canReopen(at: clock, window: reopenMicros) {
            bursts[h] = nil
        }
        for (g, s) in hotspotGroups where !s.lifecycle.isOpen && !s.lifecycle.canReopen(at: clock, window: reopenMicros) {
            hotspotGroups[g] = nil
        }
    }

    /// One tracked resource's current prediction, for ranking and evaluation.
    public struct ResourceScore: Sendable {
        public var resource: String
        public var route: String
        public var probability: Double
        /// c · λ · q · H: expected conflicts in the horizon.
        public var expectedConflicts: Double
        /// Current write rate over the resource's long-run rate (≥ 1).
        public var rising: Double
        /// The ranking's order: expected conflicts, raised for a resource written significantly
        /// above its long-run rate (by up to 4×), so a new hot spot leads long-busy objects.
        public var score: Double
        public var writeRate: Double
        public var writers: Int
        public var editWindowMs: Double?
        public var recentConflicts: Double
        public var conflicts: Int
        public var firstSeen: Int64
    }

    /// Largest boost a rising risk gets in the ranking.
    static let maxRisingBoost = 16.0

    /// The ranking score of a resource with `expected` conflicts, written `ratio` times its
    /// long-run rate.
    static func rankScore(expected e: Double, ratio: Double) -> (score: Double, rising: Double) {
        let rising = max(1, ratio)
        return (e * min(rising, maxRisingBoost).squareRoot(), rising)
    }

    /// Predictions for every tracked resource with at least `minWrites` writes, at time `t`
    /// (default: the model's clock), highest score first.
    public func resourceScores(at t0: Int64? = nil, routeName: (String) -> String = { $0 }) -> [ResourceScore] {
        let t = t0 ?? clock
        return rankedSlots(at: t).map { resourceScore($0, at: t, routeName: routeName) }
    }

    /// The ranked hot-spot list (SPEC §6 rows): the `top` highest scores, above 1% probability.
    /// Only those rows get their labels and route names: a run's report ranks every tracked
    /// resource (50,000 in the bench's log), and naming each one was most of the report's time.
    public func hotspotRows(top: Int, routeName: (String) -> String = { $0 }) -> [HotspotRow] {
        let asOf = CivilTime.rfc3339(clock)
        return rankedSlots(at: clock).filter { $0.probability >= 0.01 }.prefix(top).map {
            let score = resourceScore($0, at: clock, routeName: routeName)
            return HotspotRow(
                resource: score.resource, route: score.route, probability: (score.probability * 1000).rounded() / 1000,
                writeRate: (score.writeRate * 1000).rounded() / 1000, writers: score.writers,
                editWindowMs: score.editWindowMs.map { ($0 * 10).rounded() / 10 }, conflicts: score.conflicts,
                since: CivilTime.rfc3339(score.firstSeen),
                expectedConflicts: (score.expectedConflicts * 1000).rounded() / 1000, rising: (score.rising * 100).rounded() / 100,
                asOf: asOf)
        }
    }

    /// A tracked resource's place in the ranking: what the order needs and what was computed for
    /// it, nothing to print.
    struct RankedSlot {
        var slot: Int
        var score: Double
        var writeRate: Double
        var probability: Double
        var expected: Double
        var rising: Double
        var writers: Int
    }

    /// Every resource with at least `minWrites` writes, highest score first (then write rate).
    func rankedSlots(at t: Int64) -> [RankedSlot] {
        var out: [RankedSlot] = []
        for s in resources.occupied where Int(resources.slots[s].totalWrites) >= p.minWrites {
            let ri = Int(resources.slots[s].route)
            let writers = resources.recentWriters(s, at: t, window: writerWindowMicros)
            // Only a rise that is more than chance lifts a resource: the ranking must not reshuffle
            // on every resource's ordinary ups and downs. Such a rise is also carried on over the
            // horizon (`forecastRate`).
            let r = rise(slot: s, at: t)
            let e = expectedConflicts(slot: s, route: ri, at: t, writers: writers, rate: r.significant ? forecastRate(slot: s, at: t) : nil)
            let ranked = Self.rankScore(expected: e, ratio: r.significant ? r.ratio : 1)
            out.append(RankedSlot(
                slot: s, score: ranked.score, writeRate: rate(slot: s, at: t), probability: -expm1(-e),
                expected: e, rising: ranked.rising, writers: writers))
        }
        out.sort { ($0.score, $0.writeRate) > ($1.score, $1.writeRate) }
        return out
    }

    /// A ranked resource with its label, route name and the rest of its report.
    func resourceScore(_ ranked: RankedSlot, at t: Int64, routeName: (String) -> String) -> ResourceScore {
        let s = ranked.slot
        let ri = Int(resources.slots[s].route)
        return ResourceScore(
            resource: resources.label(s), route: routeName(routes[ri].name),
            probability: ranked.probability, expectedConflicts: ranked.expected, rising: ranked.rising, score: ranked.score,
            writeRate: ranked.writeRate, writers: ranked.writers,
            editWindowMs: editWindowMeasured(s, ri) ? editWindowSeconds(s, ri) * 1000 : nil,
            recentConflicts: resources.slots[s].conflictCount * calibrationDecay.factor(elapsedMicros: t - resources.slots[s].calibrationUpdated),
            conflicts: Int(resources.slots[s].totalConflicts), firstSeen: resources.slots[s].firstSeen)
    }

    /// What `train` writes: per-route baselines keyed by route.
    public func learnedBaselines(routeName: (String) -> String = { $0 }) -> [String: RouteBaseline] {
        var out: [String: RouteBaseline] = [:]
        for r in routes where r.warmBuckets > 0 || r.editWindowMs >= 0 {
            let c = HotspotFormula.calibration(
                observed: r.calibrationConflicts.value(at: lastTime, calibrationDecay),
                expected: r.calibrationExpected.value(at: lastTime, calibrationDecay), prior: 1, weight: p.calibrationPriorWeight)
            out[routeName(r.name)] = r.baseline(calibration: (c * 10_000).rounded() / 10_000)
        }
        return out
    }

    public var trackedResources: Int { resources.count }
    public var resourceEvictions: UInt64 { resources.evictions }
}
