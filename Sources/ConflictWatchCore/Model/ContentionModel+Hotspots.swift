#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hot-spot risk and hotspot alerts (SPEC §5.3): expected conflicts in the horizon from the
/// overlap model, calibrated per route; alerts only for resources written well above their own
/// long-run rate (a change), grouped into one alert per route.
extension ContentionModel {
    @inline(__always)
    func editWindowSeconds(_ s: Int, _ ri: Int) -> Double {
        let own = resources.slots[s].editWindowMs
        if own >= 0 { return Double(own) / 1000 }
        let route = routes[ri].editWindowMs
        return (route >= 0 ? route : p.defaultEditWindowMs) / 1000
    }

    /// Whether the edit window is measured (the resource's or its route's), not the default.
    func editWindowMeasured(_ s: Int, _ ri: Int) -> Bool {
        resources.slots[s].editWindowMs >= 0 || routes[ri].editWindowMs >= 0
    }

    /// The resource's write rate per second at `t`. A decayed count started from nothing
    /// under-reads a steady rate by 1 − 2^(−age/half-life); dividing that out keeps a resource
    /// first seen a minute ago comparable to one seen all day (and keeps the first minutes of a
    /// run from looking like a rise).
    @inline(__always)
    func rate(slot s: Int, at t: Int64) -> Double {
        let count = resources.slots[s].writeCount * rateDecay.factor(elapsedMicros: t - resources.slots[s].updated)
        let age = max(t - resources.slots[s].firstSeen, Int64(p.rateHalfLifeSeconds * 1e6 / 6))
        return rateDecay.ratePerSecond(count: count) / (1 - rateDecay.factor(elapsedMicros: age))
    }

    /// The resource's long-run write rate per second *before* its recent writes: decayed writes
    /// over the hot-spot level half-life less those of the rate half-life, over the time each
    /// covers (counted from when the model started: a resource first seen an hour in had no
    /// writes before, one seen at the start may have had its rate all along). For a steady rate
    /// it is that rate; for a stampede it is what the object had before, not the stampede itself.
    @inline(__always)
    func longRate(slot s: Int, at t: Int64) -> Double {
        let long = resources.slots[s].longWrites * levelDecay.factor(elapsedMicros: t - resources.slots[s].longUpdated)
        let recent = resources.slots[s].writeCount * rateDecay.factor(elapsedMicros: t - resources.slots[s].updated)
        let age = max(t - firstTime, warmupMicros)
        let longWindow = p.hotspotLevelHalfLifeSeconds / log(2) * (1 - levelDecay.factor(elapsedMicros: age))
        let recentWindow = recentWindowSeconds(slot: s, at: t)
        guard longWindow > 2 * recentWindow else { return long / longWindow }
        return max(0, long - recent) / (longWindow - recentWindow)
    }

    /// The time the recent (rate half-life) count covers: less for a resource seen only lately.
    @inline(__always)
    func recentWindowSeconds(slot s: Int, at t: Int64) -> Double {
        p.rateHalfLifeSeconds / log(2) * (1 - rateDecay.factor(elapsedMicros: max(t - resources.slots[s].firstSeen, 1)))
    }

    /// How far the resource's current write rate is above its long-run rate, and whether that is
    /// more than chance: its recent writes are improbable (below `alpha`) at the long-run rate.
    func rise(slot s: Int, at t: Int64) -> (ratio: Double, significant: Bool) {
        let fast = rate(slot: s, at: t)
        let long = longRate(slot: s, at: t)
        let ratio = (fast + Self.rateFloor) / (long + Self.rateFloor)
        guard ratio >= p.hotspotRiseFactor else { return (ratio, false) }
        let recent = resources.slots[s].writeCount * rateDecay.factor(elapsedMicros: t - resources.slots[s].updated)
        let expected = max(long * recentWindowSeconds(slot: s, at: t), 1e-6)
        return (ratio, Int(recent) >= p.minWrites && TailProbability.poisson(atLeast: Int(recent), mean: expected) < p.alpha)
    }

    /// The write rate to expect over the coming horizon for a resource whose writes accelerate.
    /// The rate and level half-lives' decayed rates, both over the resource's own history, lag
    /// the current rate by their mean ages; under a steady rise their gap over the difference of
    /// those ages is its slope, carried on to the middle of the horizon. Never below the current
    /// estimate (a slowing resource keeps it). The ranking uses it only for a rise that is more
    /// than chance: a flash sale's product is ranked by where its writes are going, not by where
    /// they were a minute ago.
    func forecastRate(slot s: Int, at t: Int64) -> Double {
        let fast = rate(slot: s, at: t)
        let age = Double(t - resources.slots[s].firstSeen) / 1e6
        // The same floors as `rate`: the first seconds of a resource are not a trend.
        let fastAge = max(age, p.rateHalfLifeSeconds / 6)
        let slowAge = max(age, p.hotspotLevelHalfLifeSeconds / 6)
        let long = resources.slots[s].longWrites * levelDecay.factor(elapsedMicros: t - resources.slots[s].longUpdated)
        let slow = levelDecay.ratePerSecond(count: long) / (1 - levelDecay.factor(elapsedMicros: Int64(slowAge * 1e6)))
        let fastLag = Self.meanAge(window: fastAge, halfLife: p.rateHalfLifeSeconds)
        let slowLag = Self.meanAge(window: slowAge, halfLife: p.hotspotLevelHalfLifeSeconds)
        guard fast > slow, slowLag > fastLag else { return fast }
        let slope = (fast - slow) / (slowLag - fastLag)
        return fast + slope * (fastLag + p.horizonSeconds / 2)
    }

    /// Mean age of what a decayed sum with `halfLife` holds after `window` seconds of a steady
    /// stream, normalized as `rate` normalizes it: 1/k − A·e^(−kA)/(1 − e^(−kA)).
    static func meanAge(window a: Double, halfLife h: Double) -> Double {
        let k = log(2) / h
        let e = exp(-k * a)
        return 1 / k - a * e / (1 - e)
    }

    /// A write rate too small to matter (one write an hour), so idle resources do not divide by zero.
    static let rateFloor = 1.0 / 3600

    /// The route's calibration c_r from its decayed sums (refreshed once per bucket).
    func routeCalibration(_ ri: Int, at t: Int64) -> Double {
        HotspotFormula.calibration(
            observed: routes[ri].calibrationConflicts.value(at: t, calibrationDecay),
            expected: routes[ri].calibrationExpected.value(at: t, calibrationDecay),
            prior: 1, weight: p.calibrationPriorWeight)
    }

    /// The resource's calibration, shrunk toward its route's.
    @inline(__always)
    func calibration(slot s: Int, route ri: Int, at t: Int64) -> Double {
        let cRoute = routes[ri].calibration
        let f = calibrationDecay.factor(elapsedMicros: t - resources.slots[s].calibrationUpdated)
        return HotspotFormula.calibration(
            observed: resources.slots[s].conflictCount * f, expected: resources.slots[s].expectedCount * f,
            prior: cRoute, weight: p.calibrationPriorWeight)
    }

    /// Expected conflicts within the horizon: c · λ · q · H (unbounded, so it keeps ranking
    /// where the probability saturates at 1).
    @inline(__always)
    func expectedConflicts(slot s: Int, route ri: Int, at t: Int64, writers: Int, rate forecast: Double? = nil) -> Double {
        let lambda = forecast ?? rate(slot: s, at: t)
        let q = HotspotFormula.overlap(rate: lambda, editWindowSeconds: editWindowSeconds(s, ri), writers: writers)
        return HotspotFormula.expectedConflicts(rate: lambda, overlap: q, calibration: calibration(slot: s, route: ri, at: t), horizonSeconds: p.horizonSeconds)
    }

    /// A resource can be a hot spot only with company (a lone writer's retries are bursts) and
    /// while writes still succeed (a resource refusing every write is locked, not raced).
    @inline(__always)
    func canRace(slot s: Int, writers: Int, at t: Int64) -> Bool {
        writers >= 2 && resources.slots[s].lastSuccess > 0 && t - resources.slots[s].lastSuccess <= writerWindowMicros
    }

    mutating func checkHotspot(slot s: Int, route ri: Int, writers: Int, x: ExchangeView, clientHash: UInt64, at t: Int64, conflict: Bool) {
        let e = expectedConflicts(slot: s, route: ri, at: t, writers: writers)
        if resources.slots[s].openHotspot >= 0, routes[ri].hotspotGroup >= 0 {
            let g = routes[ri].hotspotGroup
            if let m = hotspotGroups[g]!.memberIndex(resources.hashes[s]) {
                let prob = -expm1(-e)
                hotspotGroups[g]!.members[m].peakProbability = max(hotspotGroups[g]!.members[m].peakProbability, prob)
                hotspotGroups[g]!.members[m].peakExpected = max(hotspotGroups[g]!.members[m].peakExpected, e)
                hotspotGroups[g]!.members[m].peakWriters = max(hotspotGroups[g]!.members[m].peakWriters, writers)
                hotspotGroups[g]!.members[m].rate = max(hotspotGroups[g]!.members[m].rate, rate(slot: s, at: t))
                hotspotGroups[g]!.writers.add(hash: clientHash, label: x.client)
                if conflict {
                    hotspotGroups[g]!.members[m].conflicts += 1
                    hotspotGroups[g]!.conflicts += 1
                    if hotspotGroups[g]!.samples.count < 5 { hotspotGroups[g]!.samples.append(Self.sample(x)) }
                    let status = x.status >= 0 ? String(x.status) : "none"
                    hotspotGroups[g]!.statuses[status, default: 0] += 1
                    changedGroups.insert(g)
                }
                return
            }
        }
        // Until the model has watched a while, what it sees is how things are, not a change.
        guard t - firstTime >= warmupMicros, e >= expectedThreshold, canRace(slot: s, writers: writers, at: t),
              rise(slot: s, at: t).significant else { return }
        let member = HotspotGroupState.Member(
            hash: resources.hashes[s], resource: resources.label(s), since: t, peakProbability: -expm1(-e), peakExpected: e,
            peakWriters: writers, rate: rate(slot: s, at: t),
            editWindowMs: editWindowMeasured(s, ri) ? editWindowSeconds(s, ri) * 1000 : nil)
        let g: Int
        var action: AlertLifecycle.Action = .update
        if routes[ri].hotspotGroup >= 0 {
            g = routes[ri].hotspotGroup
        } else if let last = routes[ri].lastHotspotGroup, let old = hotspotGroups[last], old.lifecycle.canReopen(at: t, window: reopenMicros) {
            g = last
            action = hotspotGroups[g]!.lifecycle.anomalous(escalated: false)
        } else {
            g = newHandle()
            hotspotGroups[g] = HotspotGroupState(
                id: AlertID.make(kind: "hotspot", start: t, key: AlertID.key(route: routes[ri].name)), routeIndex: ri, start: t)
            action = .open
        }
        guard hotspotGroups[g]!.join(member) else { return }
        routes[ri].hotspotGroup = g
        resources.slots[s].openHotspot = 1
        hotspotGroups[g]!.writers.add(hash: clientHash, label: x.client)
        emitGroup(action, g, at: t)
    }

    mutating func emitGroup(_ action: AlertLifecycle.Action, _ g: Int, at t: Int64) {
        changedGroups.insert(g)
        guard let kind = Self.transitionKind(action) else { return }
        transitions.append(AlertTransition(kind: kind, alertID: hotspotGroups[g]!.id, time: t, sequence: hotspotGroups[g]!.transitions))
        hotspotGroups[g]!.transitions += 1
    }

    /// Re-evaluates the members of open hotspot alerts at `t` (rates decay while nobody writes;
    /// the long-run rate catches up with a rate that stays): a member leaves when its risk fell
    /// below half the threshold or its rate is no longer well above its long-run one; an alert
    /// with none left closes.
    mutating func refreshHotspots(at t: Int64) {
        let stay = -log1p(-p.hotspotThreshold / 2)
        for ri in routes.indices where routes[ri].hotspotGroup >= 0 {
            let g = routes[ri].hotspotGroup
            for m in hotspotGroups[g]!.members.indices where hotspotGroups[g]!.members[m].active {
                var keep = false
                if let s = resources.find(hash: hotspotGroups[g]!.members[m].hash) {
                    let writers = resources.recentWriters(s, at: t, window: writerWindowMicros)
                    let e = expectedConflicts(slot: s, route: ri, at: t, writers: writers)
                    keep = e >= stay && rise(slot: s, at: t).ratio >= p.hotspotRiseFactor / 2 && canRace(slot: s, writers: writers, at: t)
                    if !keep { resources.slots[s].openHotspot = -1 }
                }
                if !keep {
                    hotspotGroups[g]!.members[m].active = false
                    changedGroups.insert(g)
                }
            }
            if hotspotGroups[g]!.activeCount == 0, hotspotGroups[g]!.lifecycle.quiet(closeAfter: 1, end: t) == .close {
                routes[ri].hotspotGroup = -1
                routes[ri].lastHotspotGroup = g
                emitGroup(.close, g, at: t)
            }
        }
    }
}
