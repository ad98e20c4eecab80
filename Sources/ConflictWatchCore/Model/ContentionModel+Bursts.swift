#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Burst detection (SPEC §5.4): each closed bucket is tested per route, per client and overall
/// against the route's own baseline, and the alerts' lifecycles are told what it showed.
extension ContentionModel {
    mutating func advance(toBucket b: Int64) {
        closeBucket(currentBucket)
        let gap = b - currentBucket - 1
        if gap > 0 {
            // Empty buckets: nothing to test, but open alerts grow quieter.
            for _ in 0..<min(gap, Int64(p.closeAfter)) { quietBuckets(except: []) }
        }
        currentBucket = b
        refreshHotspots(at: b * bucketMicros)
    }

    mutating func closeBucket(_ b: Int64) {
        let bucketStart = b * bucketMicros
        let bucketEnd = bucketStart + bucketMicros
        var active = 0
        for ri in touchedRoutes where routes[ri].bucketWrites > 0 { active += 1 }
        var anomalous: [(ri: Int, count: Int, writes: Int, expected: Double, score: Double)] = []
        var overallExpected = 0.0, overallCount = 0
        // Clients first: the conflicts of a client found anomalous on its own (a retry storm the
        // route's total does not show yet) are kept out of its route's baselines like any
        // anomalous count, so the storm cannot teach the route that it is normal.
        let (suspects, crowds) = clientAnomalies(bucket: b)
        var clientExcess: [Int: Double] = [:]
        for a in suspects { clientExcess[a.route, default: 0] += max(0, Double(a.count) - a.expected) }
        for ri in touchedRoutes {
            let n = Double(routes[ri].bucketWrites)
            let x = Int(routes[ri].bucketConflicts)
            let slowRatio = routes[ri].ratio(p)
            // The larger of the slow baseline and the trend's forecast: a bucket must beat both.
            let ratio = max(routes[ri].testRatio, slowRatio)
            let mu = n * ratio + p.priorConflictsPerBucket
            let size = testSize(routes[ri], mean: mu)
            let pValue = combinedTail(ri, count: x, writes: n, mean: mu, size: size, trendScale: ratio / slowRatio)
            let warm = routes[ri].trained || routes[ri].warmBuckets >= p.warmupBuckets
            // Hysteresis: an open alert continues on weaker evidence than it takes to open one,
            // so an incident near the threshold is one alert, not a flapping series.
            let isOpen = routes[ri].openAlert >= 0
            let enough = x >= (isOpen ? max(1, p.minConflicts / 2) : p.minConflicts)
            let crowd = crowds[ri]
            let isAnomalous = warm && enough && (pValue < (isOpen ? p.continueAlpha : p.alpha / Double(max(active, 1))) || crowd != nil)
            if isAnomalous { anomalous.append((ri, x, Int(n), mu, Self.score(min(pValue, crowd ?? 1)))) }
            // Clipped update: a burst teaches the baselines only up to what was plausible.
            let sd = (mu + mu * mu / size).squareRoot()
            let xOwn = max(0, Double(x) - (clientExcess[ri] ?? 0))
            let xEff = isAnomalous ? min(xOwn, mu + p.clipSigmas * sd) : xOwn
            let f = bucketBaselineFactor
            routes[ri].baseConflicts = routes[ri].baseConflicts * f + xEff
            routes[ri].trend.update(conflicts: xEff, writes: n, keep: trendKeep)
            updateStatusBaselines(ri, writes: n, anomalous: isAnomalous)
            routes[ri].previous.append((x, mu, size))
            if routes[ri].previous.count > 2 { routes[ri].previous.removeFirst() }
            routes[ri].lastTwoAnomalous = (routes[ri].lastTwoAnomalous.1, isAnomalous)
            routes[ri].previousAnomalous = routes[ri].lastTwoAnomalous.0 || routes[ri].lastTwoAnomalous.1
            routes[ri].baseWrites = routes[ri].baseWrites * f + n
            routes[ri].baseBuckets = routes[ri].baseBuckets * f + 1
            // Dispersion is learned from normal buckets only, and each bucket's squared
            // deviation counts at most as a 3-sigma one: a burst's excess (or the first buckets
            // of a regression, still below the threshold) is not the route's everyday
            // variation — counting it would widen the test until the shift no longer looks
            // anomalous, and it would teach itself away.
            if !isAnomalous && clientExcess[ri] == nil {
                let residual = min((xEff - mu) * (xEff - mu), 9 * (mu + 0.5))
                routes[ri].baseResidual = routes[ri].baseResidual * f + residual
                routes[ri].baseMean = routes[ri].baseMean * f + mu
            }
            routes[ri].warmBuckets += 1
            routes[ri].testRatio = routes[ri].expectedRatio(p, trendKeep: trendKeep)
            // The overall test only trusts routes whose baseline is learned.
            if warm {
                overallExpected += mu
                overallCount += x
            }
        }
        let multi = anomalous.count >= 2
        var extended = Set<Int>()
        var alertOfRoute: [Int: Int] = [:]
        for a in anomalous {
            let h: Int
            let action: AlertLifecycle.Action
            if let current = ongoingRouteAlert(a.ri, at: bucketStart, bucket: dominant(on: a.ri, expected: a.expected)) ?? openClientBurst(on: a.ri) {
                h = current
                let escalated = bursts[h]!.lifecycle.isOpen
                    && bursts[h]!.isEscalation(count: a.count, factor: p.escalationFactor, alpha: p.alpha / Double(max(active, 1)), minConflicts: p.minConflicts)
                action = bursts[h]!.absorb(count: a.count, writes: a.writes, expected: a.expected, score: a.score, bucketEnd: bucketEnd, escalated: escalated)
                if action == .reopen { openBursts.append(h) }
                routes[a.ri].openAlert = h
            } else {
                h = newHandle()
                var s = BurstAlertState(
                    id: AlertID.make(kind: "burst", start: bucketStart, key: AlertID.key(route: routes[a.ri].name)),
                    scope: .route(a.ri), routeIndex: a.ri, start: bucketStart, bucketEnd: bucketEnd,
                    baselineWritesPerBucket: routes[a.ri].baseWritesPerBucket, baselineRatio: a.expected / max(Double(a.writes), 1))
                _ = s.absorb(count: a.count, writes: a.writes, expected: a.expected, score: a.score, bucketEnd: bucketEnd, escalated: false)
                bursts[h] = s
                routes[a.ri].openAlert = h
                openBursts.append(h)
                action = .open
            }
            bursts[h]!.absorbEvidence(from: routes[a.ri], routeIndex: a.ri, statusNames: statusNames)
            addResourceExcess(h, route: a.ri)
            if multi { bursts[h]!.multiRoute = true }
            alertOfRoute[a.ri] = h
            extended.insert(h)
            emitBurst(action, h, at: bucketEnd)
        }
        if !alertOfRoute.isEmpty { addClientExcess(alertOfRoute) }
        let clientAnomaly = raiseClientBursts(suspects, bucketStart: bucketStart, bucketEnd: bucketEnd, extended: &extended)
        if anomalous.isEmpty && !clientAnomaly {
            detectOverallBurst(count: overallCount, expected: overallExpected, bucketStart: bucketStart, bucketEnd: bucketEnd, extended: &extended)
        }
        quietBuckets(except: extended)
        for ri in touchedRoutes {
            routes[ri].calibration = routeCalibration(ri, at: bucketEnd)
            routes[ri].resetBucket()
        }
        touchedRoutes.removeAll(keepingCapacity: true)
        rememberClients(bucket: b)
        clients.clear()
    }

    mutating func newHandle() -> Int {
        nextHandle += 1
        return nextHandle
    }

    /// Each client's conflicts above what the baseline expected of its own writes, for the routes
    /// that alerted: the share of the *excess* decides single_client, not the share of all
    /// conflicts (a busy route's normal conflicts come from everyone).
    mutating func addClientExcess(_ alertOfRoute: [Int: Int]) {
        for c in clients.used {
            let e = clients.entries[c]
            guard e.conflicts > 0, let h = alertOfRoute[Int(e.route)] else { continue }
            let excess = Double(e.conflicts) - e.expected
            guard excess >= 0.5 else { continue }
            let label = clients.labelBytes(c)
            label.withUnsafeBytes { bursts[h]!.excessClients.add(hash: e.hash, label: $0, count: UInt32(excess.rounded())) }
        }
    }

    /// The bucket's top conflicting resources, less what each had been conflicting at before.
    mutating func addResourceExcess(_ h: Int, route ri: Int) {
        let perBucket = log(2) / p.calibrationHalfLifeSeconds * p.bucketSeconds
        routes[ri].bucketResources.forEach { hash, label, count in
            var usual = 0.0
            if let s = resources.find(hash: hash) {
                usual = resources.slots[s].conflictCount * perBucket
            }
            let excess = Double(count) - usual
            if excess >= 0.5 { bursts[h]!.excessResources.add(hash: hash, label: label, count: UInt32(excess.rounded())) }
        }
    }

    mutating func emitBurst(_ action: AlertLifecycle.Action, _ h: Int, at t: Int64) {
        changedBursts.insert(h)
        guard let kind = Self.transitionKind(action) else { return }
        transitions.append(AlertTransition(kind: kind, alertID: bursts[h]!.id, time: t, sequence: bursts[h]!.transitions))
        bursts[h]!.transitions += 1
    }

    static func transitionKind(_ action: AlertLifecycle.Action) -> AlertTransition.Kind? {
        switch action {
        case .open: .opened
        case .escalate: .escalated
        case .close: .closed
        case .reopen: .reopened
        case .update: nil
        }
    }

    /// A client's burst already open on the route: the route's own test catching up with the same
    /// incident continues it rather than opening a second alert.
    func openClientBurst(on ri: Int) -> Int? {
        openClientBursts.values.first { bursts[$0]?.routeIndex == ri }
    }

    /// The route's open burst, or its last one when it closed less than `reopen_window_seconds`
    /// ago and this bucket looks like the same incident (a lasting change being learned, an
    /// intermittent storm): not when the closed one was one client's or one resource's and
    /// this bucket's excess belongs to someone or something else — that is a new incident.
    func ongoingRouteAlert(_ ri: Int, at t: Int64, bucket: (client: String?, resource: String?)? = nil) -> Int? {
        if routes[ri].openAlert >= 0 { return routes[ri].openAlert }
        guard let last = routes[ri].lastClosedAlert, let s = bursts[last], s.lifecycle.canReopen(at: t, window: reopenMicros) else { return nil }
        if let bucket {
            switch AlertBuilder.diagnose(s, p: p).classes[0] {
            case "single_client":
                guard let c = bucket.client, c == (s.excessClients.top(1).first?.label ?? s.clientLabel) else { return nil }
            case "single_resource":
                guard let r = bucket.resource, r == s.excessResources.top(1).first?.label else { return nil }
            default:
                break
            }
        }
        return last
    }

    /// The client and the resource that own most of this bucket's excess on the route, when one
    /// does (≥ `single_share`).
    func dominant(on ri: Int, expected mu: Double) -> (client: String?, resource: String?) {
        let excess = max(Double(routes[ri].bucketConflicts) - mu, 1)
        var client: String? = nil
        var best = 0.0
        for c in clients.used where Int(clients.entries[c].route) == ri {
            let e = Double(clients.entries[c].conflicts) - clients.entries[c].expected
            if e > best { best = e; client = clients.label(c) }
        }
        if best < p.singleShare * excess { client = nil }
        let top = routes[ri].bucketResources.top(1).first
        let resource = top.flatMap { Double($0.count) >= p.singleShare * Double(routes[ri].bucketConflicts) ? $0.label : nil }
        return (client, resource)
    }

    /// The bucket's tail probability under the route's baseline: the smallest of the total-count
    /// test, the per-status tests (Bonferroni over statuses) and the 3-bucket sustained-shift test
    /// (counted twice, for the two extra looks), so one number decides and scores. `trendScale`
    /// lifts the per-status means by as much as the trend lifted the total.
    func combinedTail(_ ri: Int, count x: Int, writes n: Double, mean mu: Double, size: Double, trendScale: Double) -> Double {
        let r = routes[ri]
        var best = TailProbability.negativeBinomial(atLeast: x, mean: mu, size: size)
        let statuses = r.bucketStatuses.count
        // Per-status history must be the route's own (a trained file carries only totals).
        if statuses > 1, r.baseStatusConflicts.count == statuses, r.warmBuckets >= p.warmupBuckets {
            let priorShare = p.priorConflicts / Double(statuses)
            for si in 0..<statuses where r.bucketStatuses[si] > 0 {
                let c = r.baseStatusConflicts[si]
                let muS = n * (priorShare + c) / (p.priorWrites + r.baseWrites) * trendScale + p.priorConflictsPerBucket / Double(statuses)
                let pS = TailProbability.negativeBinomial(atLeast: Int(r.bucketStatuses[si]), mean: muS, size: priorShare + c)
                best = min(best, pS * Double(statuses))
            }
        }
        // A sustained shift: only while this bucket is itself above expectation, and only over
        // buckets that were not anomalous themselves.
        if r.previous.count == 2, !r.previousAnomalous, Double(x) > mu {
            let x3 = x + r.previous[0].count + r.previous[1].count
            let mu3 = mu + r.previous[0].mean + r.previous[1].mean
            let size3 = size + r.previous[0].size + r.previous[1].size
            best = min(best, 2 * TailProbability.negativeBinomial(atLeast: x3, mean: mu3, size: size3))
        }
        return min(best, 1)
    }

    /// Per-status baselines learn like the total: fully from normal buckets, clipped from
    /// anomalous ones.
    mutating func updateStatusBaselines(_ ri: Int, writes n: Double, anomalous: Bool) {
        let statuses = routes[ri].bucketStatuses.count
        if routes[ri].baseStatusConflicts.count != statuses {
            routes[ri].baseStatusConflicts = Array(repeating: 0, count: statuses)
        }
        let f = bucketBaselineFactor
        let priorShare = p.priorConflicts / Double(statuses)
        for si in 0..<statuses {
            let c = routes[ri].baseStatusConflicts[si]
            let x = Double(routes[ri].bucketStatuses[si])
            var xEff = x
            if anomalous {
                let muS = n * (priorShare + c) / (p.priorWrites + routes[ri].baseWrites)
                xEff = min(x, muS + p.clipSigmas * (muS + muS * muS / (priorShare + c)).squareRoot())
            }
            routes[ri].baseStatusConflicts[si] = c * f + xEff
        }
    }

    /// NB size for the test: the Gamma posterior's shape (uncertainty of the ratio), narrowed
    /// further when the route's bucket counts are over-dispersed.
    func testSize(_ r: RouteModel, mean mu: Double) -> Double {
        var size = p.priorConflicts + r.baseConflicts
        // The dispersion needs a few dozen buckets before it can be trusted to widen the test.
        if r.warmBuckets >= max(30, 5 * p.warmupBuckets) || r.trained, r.dispersion > p.overdispersionThreshold {
            size = min(size, max(mu / (r.dispersion - 1), 0.05))
        }
        return size
    }

    static func score(_ pValue: Double) -> Double {
        pValue <= 0 ? 300 : min(300, -log10(pValue))
    }

    /// A client's bucket against what its writes' route ratios expect, and the sum of its last
    /// three buckets (a storm too small for one short bucket shows over three, as on routes).
    struct ClientAnomaly {
        var entry: Int
        var count: Int
        var expected: Double
        var pValue: Double
        var route: Int
    }

    /// A client's conflicts among its writes, each conflicting at the rate its route expects:
    /// binomial (conflicts cannot outnumber writes, which Poisson ignores on high-ratio routes).
    static func clientTail(_ count: Int, writes n: Int, expected mu: Double) -> Double {
        guard n > 0 else { return 1 }
        return TailProbability.binomial(atLeast: count, trials: n, probability: min(mu / Double(n), 0.999))
    }

    /// The clients anomalous on their own, and the routes where anomalous clients were a crowd
    /// (with the smallest tail probability among them).
    func clientAnomalies(bucket b: Int64) -> (suspects: [ClientAnomaly], crowds: [Int: Double]) {
        let active = Double(max(clients.count, 1))
        var out: [ClientAnomaly] = []
        var crowds: [Int: Double] = [:]
        for c in clients.used where Int(clients.entries[c].conflicts) >= p.minConflicts {
            let e = clients.entries[c]
            let count = Int(e.conflicts)
            let mu = e.expected + p.priorConflictsPerBucket
            var pValue = Self.clientTail(count, writes: Int(e.writes), expected: mu)
            // The look over the client's last buckets is for finding a storm, not for holding one
            // open: three buckets where the client had conflicts in the two before, else two. A
            // storm that began with a lone conflict late in a bucket left no history there (only
            // clients with two or more are kept), and waiting for three full buckets found it
            // more than two buckets after it began.
            if openClientBursts[e.hash] == nil, let h = clientHistory[e.hash], h.bucket == b - 1, Double(count) > mu {
                var x = count + h.count
                var n = Int(e.writes) + h.writes
                var m = mu + h.expected
                if h.previous.bucket == b - 2 {
                    x += h.previous.count
                    n += h.previous.writes
                    m += h.previous.expected
                }
                pValue = min(pValue, 2 * Self.clientTail(x, writes: n, expected: m))
            }
            guard pValue < (openClientBursts[e.hash] != nil ? p.continueAlpha : p.alpha / active) else { continue }
            let main = Int(max(e.route, 0))
            guard main < routes.count, routes[main].warmBuckets >= p.warmupBuckets || routes[main].trained else { continue }
            // A client whose refusals mostly came on writes made right after its own fresh read
            // of the object, each lost to another client's write accepted meanwhile, is one of
            // several writers competing (a stampede's participants each look like a storm
            // measured against their own writes), not a client replaying a refused write: its
            // route is anomalous — a crowd, diagnosed from the route's excess (one object:
            // `single_resource`) — not the client. A storm replays a stale version without
            // reading again; a race alone does not tell them apart, since a storm on a busy
            // object follows other clients' accepted writes too.
            if openClientBursts[e.hash] == nil, 2 * Int(e.informedRaces) > count {
                crowds[main] = min(crowds[main] ?? 1, pValue)
                continue
            }
            out.append(ClientAnomaly(entry: c, count: count, expected: mu, pValue: pValue, route: main))
        }
        return (out, crowds)
    }

    /// Keeps the last two buckets of the clients that had conflicts (bounded).
    mutating func rememberClients(bucket b: Int64) {
        if clientHistory.count > 4 * ClientHistory.limit {
            clientHistory = clientHistory.filter { $0.value.bucket >= b - 1 }
        }
        for c in clients.used where clients.entries[c].conflicts >= 2 || clientHistory[clients.entries[c].hash] != nil {
            let e = clients.entries[c]
            guard clientHistory.count < 4 * ClientHistory.limit || clientHistory[e.hash] != nil else { continue }
            let old = clientHistory[e.hash]
            let previous = old.map { ClientHistory.Bucket(bucket: $0.bucket, count: $0.count, expected: $0.expected, writes: $0.writes) } ?? .init()
            clientHistory[e.hash] = ClientHistory(bucket: b, count: Int(e.conflicts), expected: e.expected + p.priorConflictsPerBucket,
                                                  writes: Int(e.writes), previous: previous)
        }
    }

    mutating func raiseClientBursts(_ suspects: [ClientAnomaly], bucketStart: Int64, bucketEnd: Int64, extended: inout Set<Int>) -> Bool {
        var any = false
        for a in suspects {
            let c = a.entry
            let e = clients.entries[c]
            let h = e.hash
            let count = a.count
            let mu = a.expected
            let pValue = a.pValue
            let main = a.route
            any = true
            // Explained by an open alert on its route (also one that this bucket's route test
            // alone would not have continued, e.g. a storm's last partial bucket): that alert
            // goes on, with the client's conflicts as its evidence.
            if routes[main].openAlert >= 0 {
                let i = routes[main].openAlert
                if !extended.contains(i) {
                    let action = bursts[i]!.absorb(count: count, writes: Int(e.writes), expected: mu, score: Self.score(pValue), bucketEnd: bucketEnd, escalated: false)
                    bursts[i]!.absorbEvidence(from: routes[main], routeIndex: main, statusNames: statusNames)
                    clients.labelBytes(c).withUnsafeBytes { bursts[i]!.excessClients.add(hash: h, label: $0, count: UInt32(max(0, Double(count) - mu).rounded())) }
                    extended.insert(i)
                    emitBurst(action, i, at: bucketEnd)
                }
                continue
            }
            let label = clients.label(c)
            let i: Int
            let isNew: Bool
            if let open = openClientBursts[h] {
                i = open
                isNew = false
            } else {
                i = newHandle()
                var s = BurstAlertState(
                    id: AlertID.make(kind: "burst", start: bucketStart, key: AlertID.key(route: routes[main].name, narrowedTo: h)),
                    scope: .client(h), routeIndex: main, start: bucketStart, bucketEnd: bucketEnd,
                    baselineWritesPerBucket: routes[main].baseWritesPerBucket, baselineRatio: routes[main].testRatio)
                s.clientLabel = label
                bursts[i] = s
                openClientBursts[h] = i
                openBursts.append(i)
                isNew = true
            }
            let action = bursts[i]!.absorb(count: count, writes: Int(e.writes), expected: mu, score: Self.score(pValue), bucketEnd: bucketEnd, escalated: false)
            clients.labelBytes(c).withUnsafeBytes {
                bursts[i]!.clients.add(hash: h, label: $0, count: UInt32(count))
                bursts[i]!.excessClients.add(hash: h, label: $0, count: UInt32(max(0, Double(count) - mu).rounded()))
            }
            bursts[i]!.resources.merge(routes[main].bucketResources)
            bursts[i]!.routesHit[main, default: 0] += count
            bursts[i]!.createConflicts += Int(routes[main].bucketCreateConflicts)
            for s in routes[main].bucketSamples where bursts[i]!.samples.count < 5 && s.client == label {
                bursts[i]!.samples.append(s)
            }
            for (si, n) in routes[main].bucketStatuses.enumerated() where n > 0 {
                bursts[i]!.statuses[statusNames[si], default: 0] += Int(n)
            }
            extended.insert(i)
            emitBurst(isNew ? .open : action, i, at: bucketEnd)
        }
        return any
    }

    mutating func detectOverallBurst(count: Int, expected: Double, bucketStart: Int64, bucketEnd: Int64, extended: inout Set<Int>) {
        guard count >= p.minConflicts else { return }
        let warmRoutes = touchedRoutes.filter { routes[$0].warmBuckets >= p.warmupBuckets || routes[$0].trained }
        guard !warmRoutes.isEmpty else { return }
        let pValue = TailProbability.poisson(atLeast: count, mean: expected)
        guard pValue < (openOverall >= 0 ? p.continueAlpha : p.alpha) else { return }
        let top = touchedRoutes.max { routes[$0].bucketConflicts < routes[$1].bucketConflicts } ?? 0
        // The event an open route alert is about, still going on below that route's own
        // threshold: it continues that alert instead of starting a second one.
        if let i = ongoingRouteAlert(top, at: bucketStart) {
            let action = bursts[i]!.absorb(count: Int(routes[top].bucketConflicts), writes: Int(routes[top].bucketWrites),
                                           expected: expected, score: Self.score(pValue), bucketEnd: bucketEnd, escalated: false)
            if action == .reopen {
                routes[top].openAlert = i
                openBursts.append(i)
            }
            bursts[i]!.absorbEvidence(from: routes[top], routeIndex: top, statusNames: statusNames)
            extended.insert(i)
            emitBurst(action, i, at: bucketEnd)
            return
        }
        var isNew = false
        if openOverall < 0 {
            openOverall = newHandle()
            isNew = true
            bursts[openOverall] = BurstAlertState(
                id: AlertID.make(kind: "burst", start: bucketStart, key: AlertID.key(route: "*")), scope: .overall, routeIndex: top,
                start: bucketStart, bucketEnd: bucketEnd,
                baselineWritesPerBucket: touchedRoutes.reduce(0) { $0 + routes[$1].baseWritesPerBucket },
                baselineRatio: 0)
            openBursts.append(openOverall)
        }
        let i = openOverall
        let action = bursts[i]!.absorb(count: count, writes: touchedRoutes.reduce(0) { $0 + Int(routes[$1].bucketWrites) },
                                       expected: expected, score: Self.score(pValue), bucketEnd: bucketEnd, escalated: false)
        for ri in touchedRoutes where routes[ri].bucketConflicts > 0 {
            bursts[i]!.absorbEvidence(from: routes[ri], routeIndex: ri, statusNames: statusNames)
        }
        extended.insert(i)
        emitBurst(isNew ? .open : action, i, at: bucketEnd)
    }

    /// A bucket without evidence for every open burst not in `extended`; those quiet for
    /// `close_after` buckets close.
    mutating func quietBuckets(except extended: Set<Int>) {
        var closed: [Int] = []
        for h in openBursts where !extended.contains(h) {
            guard var s = bursts[h] else { continue }
            let action = s.lifecycle.quiet(closeAfter: p.closeAfter, end: s.lastAnomalousEnd)
            bursts[h] = s
            guard action == .close else { continue }
            closed.append(h)
            if routes[s.routeIndex].openAlert == h {
                routes[s.routeIndex].openAlert = -1
                routes[s.routeIndex].lastClosedAlert = h
            }
            switch s.scope {
            case .route: break
            case .client(let c): openClientBursts[c] = nil
            case .overall:
                openOverall = -1
                lastOverall = h
            }
            emitBurst(.close, h, at: max(s.lastAnomalousEnd, currentBucketEnd))
        }
        if !closed.isEmpty { openBursts.removeAll { closed.contains($0) } }
    }

    /// End of the bucket being closed (when a quiet verdict is reached).
    var currentBucketEnd: Int64 { currentBucket == .min ? clock : (currentBucket + 1) * bucketMicros }
}
