#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The contention model (SPEC §5.2–5.4): per-route and per-resource write tracking, hot-spot
/// probabilities, and burst detection in traffic-time buckets. Fed one exchange at a time by
/// `TrafficAnalyzer`; synchronous, bounded memory, allocation only for new routes, conflict
/// evidence and alerts. All times are traffic times, so replaying a log gives the alerts that
/// living it would have.
public struct ContentionModel {
    let p: ModelParameters
    let bucketMicros: Int64
    let rateDecay: Decay
    let calibrationDecay: Decay
    /// Baseline forgetting over one bucket.
    let bucketBaselineFactor: Double
    let writerWindowMicros: Int64
    let reopenMicros: Int64
    let maxEditMicros: Int64
    let statusNames: [String]
    let conflictStatuses: [Int32]

    var routes: [RouteModel] = []
    var touchedRoutes: [Int] = []
    var resources: ResourceTable
    var reads: ReadTracker
    var clients: ClientBuckets
    var currentBucket: Int64 = .min
    public private(set) var lastTime: Int64 = 0

    var bursts: [BurstAlertState] = []
    var openBursts: [Int] = []
    var openClientBursts: [UInt64: Int] = [:]
    var openOverall = -1
    var hotspots: [HotspotAlertState] = []
    var openHotspots: [UInt64: Int] = [:]
    /// Hot-spot alerts closed within the reopen window, by resource: warm again that soon is the
    /// same hot spot, not a new one.
    var recentlyClosedHotspots: [UInt64: Int] = [:]

    public init(parameters: ModelParameters) {
        p = parameters
        bucketMicros = Int64(parameters.bucketSeconds * 1e6)
        rateDecay = Decay(halfLifeSeconds: parameters.rateHalfLifeSeconds)
        calibrationDecay = Decay(halfLifeSeconds: parameters.calibrationHalfLifeSeconds)
        bucketBaselineFactor = Decay(halfLifeSeconds: parameters.baselineHalfLifeSeconds).factor(elapsedMicros: Int64(parameters.bucketSeconds * 1e6))
        writerWindowMicros = Int64(parameters.writerWindowSeconds * 1e6)
        reopenMicros = Int64(parameters.reopenWindowSeconds * 1e6)
        maxEditMicros = Int64(parameters.maxEditWindowSeconds * 1e6)
        statusNames = parameters.conflictStatuses.map(String.init) + ["other"]
        conflictStatuses = parameters.conflictStatuses.map { Int32($0) }
        resources = ResourceTable(capacity: parameters.maxResources)
        reads = ReadTracker(slots: parameters.readTrackerSlots)
        clients = ClientBuckets(capacity: 32_768)
    }

    // MARK: - Per exchange

    @inline(__always)
    public mutating func observe(
        _ x: ExchangeView, routeIndex ri: Int, route: UnsafeRawBufferPointer,
        pathHash: UInt64, clientHash: UInt64, isWrite: Bool, isConflict: Bool
    ) {
        let t = x.time
        if t > lastTime { lastTime = t }
        let b = t >= 0 ? t / bucketMicros : (t - bucketMicros + 1) / bucketMicros
        if currentBucket == .min {
            currentBucket = b
        } else if b > currentBucket {
            advance(toBucket: b)
        }
        if ri >= routes.count { addRoutes(upTo: ri, route: route, at: t) }
        guard isWrite else {
            // A successful read starts an edit window for this client and resource.
            if x.status >= 200 && x.status < 400, x.hasRequestLine {
                reads.recordRead(client: clientHash, resource: pathHash, at: t)
            }
            return
        }
        if !routes[ri].touched {
            routes[ri].touched = true
            touchedRoutes.append(ri)
        }
        routes[ri].bucketWrites &+= 1
        let ratio = routes[ri].ratio(p)
        clients.record(clientHash, label: x.client, ratio: ratio, conflict: isConflict, route: ri)

        // Creates (POST to a collection) make new resources; they cannot race on a version, so
        // they count for the route and its bursts but are not tracked as hot-spot candidates.
        guard !x.method.equals("POST") else {
            if isConflict { recordConflict(x, ri: ri, slot: nil, clientHash: clientHash, pathHash: pathHash) }
            return
        }

        // Resource state.
        let s = resources.slot(hash: pathHash, label: x.path, route: Int32(ri), at: t)
        let rateFactor = rateDecay.factor(elapsedMicros: t - resources.slots[s].updated)
        resources.slots[s].writeCount = resources.slots[s].writeCount * rateFactor + 1
        resources.slots[s].updated = max(resources.slots[s].updated, t)
        resources.slots[s].totalWrites &+= 1
        resources.slots[s].lastWrite = t
        let writers = resources.noteWriter(s, client: clientHash, at: t, window: writerWindowMicros)
        if let readAt = reads.takeRead(client: clientHash, resource: pathHash), t >= readAt, t - readAt <= maxEditMicros {
            // Logs with whole-second times put a quick read and write in the same second: the
            // gap is somewhere under a second, taken as half of one.
            let wholeSeconds = t % 1_000_000 == 0 && readAt % 1_000_000 == 0
            let gap = t == readAt && wholeSeconds ? 500_000 : t - readAt
            let ms = Double(gap) / 1000
            let old = resources.slots[s].editWindowMs
            resources.slots[s].editWindowMs = old < 0 ? Float(ms) : Float(Double(old) * 0.7 + ms * 0.3)
            let routeOld = routes[ri].editWindowMs
            routes[ri].editWindowMs = routeOld < 0 ? ms : routeOld * 0.95 + ms * 0.05
        }
        let lambda = rateDecay.ratePerSecond(count: resources.slots[s].writeCount)
        let q = HotspotFormula.overlap(rate: lambda, editWindowSeconds: editWindowSeconds(s, ri), writers: writers)

        // Calibration sums: what the raw model expected against what happened.
        let calFactor = calibrationDecay.factor(elapsedMicros: t - resources.slots[s].calibrationUpdated)
        resources.slots[s].conflictCount *= calFactor
        resources.slots[s].expectedCount = resources.slots[s].expectedCount * calFactor + q
        resources.slots[s].calibrationUpdated = max(resources.slots[s].calibrationUpdated, t)
        routes[ri].calibrationExpected.add(q, at: t, calibrationDecay)
        if isConflict { recordConflict(x, ri: ri, slot: s, clientHash: clientHash, pathHash: pathHash) }

        resources.touch(s, decay: rateDecay)
        if Int(resources.slots[s].totalWrites) >= p.minWrites {
            let prob = probability(slot: s, route: ri, at: t, writers: writers)
            checkHotspot(slot: s, route: ri, probability: prob, writers: writers, x: x, clientHash: clientHash, at: t, conflict: isConflict)
        }
    }

    @inline(__always)
    mutating func recordConflict(_ x: ExchangeView, ri: Int, slot: Int?, clientHash: UInt64, pathHash: UInt64) {
        let t = x.time
        routes[ri].bucketConflicts &+= 1
        var si = conflictStatuses.count
        for (i, c) in conflictStatuses.enumerated() where c == x.status { si = i; break }
        routes[ri].bucketStatuses[min(si, routes[ri].bucketStatuses.count - 1)] &+= 1
        routes[ri].bucketClients.add(hash: clientHash, label: x.client)
        routes[ri].bucketResources.add(hash: pathHash, label: x.path)
        if routes[ri].bucketSamples.count < RouteModel.samplesPerBucket { routes[ri].bucketSamples.append(Self.sample(x)) }
        guard let s = slot else { return }
        // The route's calibration learns only from resources whose conflicts the overlap model
        // can explain within a factor: one object hammered by a retry storm (hundreds of
        // conflicts from one client) must not raise every other resource of its route. That
        // resource still learns its own factor.
        if resources.slots[s].conflictCount <= 3 * resources.slots[s].expectedCount + 3 {
            routes[ri].calibrationConflicts.add(1, at: t, calibrationDecay)
        }
        resources.slots[s].conflictCount += 1
        resources.slots[s].totalConflicts &+= 1
        resources.slots[s].lastConflict = t
    }

    static func sample(_ x: ExchangeView) -> Alert.Sample {
        Alert.Sample(time: CivilTime.rfc3339(x.time), client: x.client.lossyString, method: x.method.lossyString,
                     path: x.path.lossyString, status: x.status >= 0 ? Int(x.status) : nil)
    }

    mutating func addRoutes(upTo ri: Int, route: UnsafeRawBufferPointer, at t: Int64) {
        while routes.count <= ri {
            let name = routes.count == ri ? route.lossyString : "{unknown}"
            var r = RouteModel(name: name)
            r.bucketStatuses = Array(repeating: 0, count: statusNames.count)
            if let b = p.baselines[name] { r.warmStart(b, at: t) }
            routes.append(r)
        }
    }

    // MARK: - Hot spots

    @inline(__always)
    func editWindowSeconds(_ s: Int, _ ri: Int) -> Double {
        let own = resources.slots[s].editWindowMs
        if own >= 0 { return Double(own) / 1000 }
        let route = routes[ri].editWindowMs
        return (route >= 0 ? route : p.defaultEditWindowMs) / 1000
    }

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

    @inline(__always)
    func probability(slot s: Int, route ri: Int, at t: Int64, writers: Int) -> Double {
        let lambda = rateDecay.ratePerSecond(count: resources.slots[s].writeCount * rateDecay.factor(elapsedMicros: t - resources.slots[s].updated))
        let q = HotspotFormula.overlap(rate: lambda, editWindowSeconds: editWindowSeconds(s, ri), writers: writers)
        return HotspotFormula.probability(rate: lambda, overlap: q, calibration: calibration(slot: s, route: ri, at: t), horizonSeconds: p.horizonSeconds)
    }

    mutating func checkHotspot(slot s: Int, route ri: Int, probability prob: Double, writers: Int, x: ExchangeView, clientHash: UInt64, at t: Int64, conflict: Bool) {
        let key = resources.hashes[s]
        if resources.slots[s].openHotspot >= 0, let i = openHotspots[key] {
            hotspots[i].observe(probability: prob, writers: writers, clientHash: clientHash, client: x.client)
            hotspots[i].rate = max(hotspots[i].rate, rateDecay.ratePerSecond(count: resources.slots[s].writeCount))
            if conflict {
                hotspots[i].conflicts += 1
                if hotspots[i].samples.count < 5 { hotspots[i].samples.append(Self.sample(x)) }
                let status = x.status >= 0 ? String(x.status) : "none"
                hotspots[i].statuses[status, default: 0] += 1
            }
            return
        }
        // A resource one client writes alone cannot race another writer (its own retries
        // show up as bursts); a hot spot needs company.
        guard prob >= p.hotspotThreshold, writers >= 2, Int(resources.slots[s].totalWrites) >= p.minWrites else { return }
        if let i = recentlyClosedHotspots.removeValue(forKey: key), let end = hotspots[i].end, t - end <= reopenMicros {
            hotspots[i].end = nil
            hotspots[i].observe(probability: prob, writers: writers, clientHash: clientHash, client: x.client)
            openHotspots[key] = i
            resources.slots[s].openHotspot = Int32(i)
            return
        }
        var h = HotspotAlertState(
            id: AlertID.make(kind: "hotspot", start: t, key: key), resource: resources.label(s), routeIndex: ri, start: t)
        h.observe(probability: prob, writers: writers, clientHash: clientHash, client: x.client)
        h.rate = rateDecay.ratePerSecond(count: resources.slots[s].writeCount)
        h.editWindowMs = editWindowSeconds(s, ri) * 1000
        openHotspots[key] = hotspots.count
        resources.slots[s].openHotspot = Int32(hotspots.count)
        hotspots.append(h)
    }

    /// Re-evaluates open hot spots at `t` (their rates decay while nobody writes).
    mutating func refreshHotspots(at t: Int64) {
        for (key, i) in openHotspots {
            guard let s = resources.find(hash: key) else {
                hotspots[i].end = t
                openHotspots[key] = nil
                continue
            }
            let ri = Int(resources.slots[s].route)
            let prob = probability(slot: s, route: ri, at: t, writers: resources.recentWriters(s, at: t, window: writerWindowMicros))
            if prob < p.hotspotThreshold / 2 {
                hotspots[i].end = t
                openHotspots[key] = nil
                resources.slots[s].openHotspot = -1
                recentlyClosedHotspots[key] = i
            }
        }
        recentlyClosedHotspots = recentlyClosedHotspots.filter { _, i in
            guard let end = hotspots[i].end else { return false }
            return t - end <= reopenMicros
        }
    }

    // MARK: - Buckets

    mutating func advance(toBucket b: Int64) {
        closeBucket(currentBucket)
        let gap = b - currentBucket - 1
        if gap > 0 {
            // Empty buckets: nothing to test, but open alerts grow quieter.
            for _ in 0..<min(gap, Int64(p.closeAfter)) { quietBucket(end: (currentBucket + 2) * bucketMicros) }
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
        for ri in touchedRoutes {
            let n = Double(routes[ri].bucketWrites)
            let x = Int(routes[ri].bucketConflicts)
            let ratio = routes[ri].ratio(p)
            let mu = n * ratio + p.priorConflictsPerBucket
            let size = testSize(routes[ri], mean: mu)
            let pValue = combinedTail(ri, count: x, writes: n, mean: mu, size: size)
            let warm = routes[ri].trained || routes[ri].warmBuckets >= p.warmupBuckets
            // Hysteresis: an open alert continues on weaker evidence than it takes to open one,
            // so an incident near the threshold is one alert, not a flapping series.
            let isOpen = routes[ri].openAlert >= 0
            let isAnomalous = warm
                && x >= (isOpen ? max(1, p.minConflicts / 2) : p.minConflicts)
                && pValue < (isOpen ? p.continueAlpha : p.alpha / Double(max(active, 1)))
            let score = Self.score(pValue)
            if isAnomalous { anomalous.append((ri, x, Int(n), mu, score)) }
            // Clipped update: a burst teaches the baseline only up to what was plausible.
            let sd = (mu + mu * mu / size).squareRoot()
            let xEff = isAnomalous ? min(Double(x), mu + p.clipSigmas * sd) : Double(x)
            let f = bucketBaselineFactor
            routes[ri].baseConflicts = routes[ri].baseConflicts * f + xEff
            updateStatusBaselines(ri, writes: n, anomalous: isAnomalous)
            routes[ri].previous.append((x, mu, size))
            if routes[ri].previous.count > 2 { routes[ri].previous.removeFirst() }
            routes[ri].baseWrites = routes[ri].baseWrites * f + n
            routes[ri].baseBuckets = routes[ri].baseBuckets * f + 1
            // Dispersion is learned from normal buckets only, and each bucket's squared
            // deviation counts at most as a 3-sigma one: a burst's excess (or the first buckets
            // of a regression, still below the threshold) is not the route's everyday
            // variation — counting it would widen the test until the shift no longer looks
            // anomalous, and it would teach itself away.
            if !isAnomalous {
                let residual = min((xEff - mu) * (xEff - mu), 9 * (mu + 0.5))
                routes[ri].baseResidual = routes[ri].baseResidual * f + residual
                routes[ri].baseMean = routes[ri].baseMean * f + mu
            }
            routes[ri].warmBuckets += 1
            // The overall test only trusts routes whose baseline is learned.
            if warm {
                overallExpected += mu
                overallCount += x
            }
        }
        let multi = anomalous.count >= 2
        var extended = Set<Int>()
        for a in anomalous {
            let i: Int
            if let current = ongoingRouteAlert(a.ri, bucketStart: bucketStart) {
                i = current
            } else {
                i = bursts.count
                bursts.append(BurstAlertState(
                    id: AlertID.make(kind: "burst", start: bucketStart, key: UInt64(a.ri) &* 0x9E37_79B9_7F4A_7C15 | 1),
                    scope: .route(a.ri), routeIndex: a.ri, start: bucketStart, bucketEnd: bucketEnd,
                    baselineWritesPerBucket: routes[a.ri].baseWritesPerBucket, baselineRatio: routes[a.ri].ratio(p)))
                routes[a.ri].openAlert = i
                openBursts.append(i)
            }
            bursts[i].absorb(count: a.count, writes: a.writes, expected: a.expected, score: a.score, bucketEnd: bucketEnd)
            bursts[i].absorbEvidence(from: routes[a.ri], routeIndex: a.ri, statusNames: statusNames)
            if multi { bursts[i].multiRoute = true }
            extended.insert(i)
        }
        let clientAnomaly = detectClientBursts(bucketStart: bucketStart, bucketEnd: bucketEnd, extended: &extended)
        if anomalous.isEmpty && !clientAnomaly {
            detectOverallBurst(count: overallCount, expected: overallExpected, bucketStart: bucketStart, bucketEnd: bucketEnd, extended: &extended)
        }
        for i in openBursts where !extended.contains(i) { bursts[i].quietBuckets += 1 }
        closeQuietBursts()
        for ri in touchedRoutes {
            routes[ri].calibration = routeCalibration(ri, at: bucketEnd)
            routes[ri].resetBucket()
        }
        touchedRoutes.removeAll(keepingCapacity: true)
        clients.clear()
    }

    /// The route's open burst, or its last one reopened when it closed less than
    /// `reopen_window_seconds` ago: anomalous again that soon is the same incident (a lasting
    /// change being learned, an intermittent storm), not a new one.
    mutating func ongoingRouteAlert(_ ri: Int, bucketStart: Int64) -> Int? {
        if routes[ri].openAlert >= 0 { return routes[ri].openAlert }
        guard let last = routes[ri].lastClosedAlert, let closed = bursts[last].closedAt,
              bucketStart - closed <= reopenMicros else { return nil }
        bursts[last].closedAt = nil
        bursts[last].quietBuckets = 0
        routes[ri].openAlert = last
        openBursts.append(last)
        return last
    }

    /// The bucket's tail probability under the route's baseline: the smallest of the total-count
    /// test, the per-status tests (Bonferroni over statuses) and the 3-bucket sustained-shift test
    /// (counted twice, for the two extra looks), so one number decides and scores.
    func combinedTail(_ ri: Int, count x: Int, writes n: Double, mean mu: Double, size: Double) -> Double {
        let r = routes[ri]
        var best = TailProbability.negativeBinomial(atLeast: x, mean: mu, size: size)
        let statuses = r.bucketStatuses.count
        // Per-status history must be the route's own (a trained file carries only totals).
        if statuses > 1, r.baseStatusConflicts.count == statuses, r.warmBuckets >= p.warmupBuckets {
            let priorShare = p.priorConflicts / Double(statuses)
            for si in 0..<statuses where r.bucketStatuses[si] > 0 {
                let c = r.baseStatusConflicts[si]
                let muS = n * (priorShare + c) / (p.priorWrites + r.baseWrites) + p.priorConflictsPerBucket / Double(statuses)
                let pS = TailProbability.negativeBinomial(atLeast: Int(r.bucketStatuses[si]), mean: muS, size: priorShare + c)
                best = min(best, pS * Double(statuses))
            }
        }
        // A sustained shift: only while this bucket is itself above expectation.
        if r.previous.count == 2, Double(x) > mu {
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

    mutating func detectClientBursts(bucketStart: Int64, bucketEnd: Int64, extended: inout Set<Int>) -> Bool {
        let active = Double(max(clients.count, 1))
        var any = false
        for c in clients.used where Int(clients.entries[c].conflicts) >= p.minConflicts {
            let e = clients.entries[c]
            let h = e.hash
            let count = Int(e.conflicts)
            let mu = e.expected + p.priorConflictsPerBucket
            let pValue = TailProbability.poisson(atLeast: count, mean: mu)
            guard pValue < (openClientBursts[h] != nil ? p.continueAlpha : p.alpha / active) else { continue }
            let main = Int(max(e.route, 0))
            guard routes[main].warmBuckets >= p.warmupBuckets || routes[main].trained else { continue }
            any = true
            // Explained by an open alert on its route (also one that this bucket's route test
            // alone would not have continued, e.g. a storm's last partial bucket): that alert
            // goes on, with the client's conflicts as its evidence.
            if routes[main].openAlert >= 0 {
                let i = routes[main].openAlert
                if !extended.contains(i) {
                    bursts[i].absorb(count: count, writes: Int(e.writes), expected: mu, score: Self.score(pValue), bucketEnd: bucketEnd)
                    bursts[i].absorbEvidence(from: routes[main], routeIndex: main, statusNames: statusNames)
                    extended.insert(i)
                }
                continue
            }
            let label = clients.label(c)
            let i: Int
            if let open = openClientBursts[h] {
                i = open
            } else {
                i = bursts.count
                var s = BurstAlertState(
                    id: AlertID.make(kind: "burst", start: bucketStart, key: h), scope: .client(h), routeIndex: main,
                    start: bucketStart, bucketEnd: bucketEnd,
                    baselineWritesPerBucket: routes[main].baseWritesPerBucket, baselineRatio: routes[main].ratio(p))
                s.clientLabel = label
                bursts.append(s)
                openClientBursts[h] = i
                openBursts.append(i)
            }
            bursts[i].absorb(count: count, writes: Int(e.writes), expected: mu, score: Self.score(pValue), bucketEnd: bucketEnd)
            clients.labelBytes(c).withUnsafeBytes { bursts[i].clients.add(hash: h, label: $0, count: UInt32(count)) }
            bursts[i].resources.merge(routes[main].bucketResources)
            bursts[i].routesHit[main, default: 0] += count
            for s in routes[main].bucketSamples where bursts[i].samples.count < 5 && s.client == label {
                bursts[i].samples.append(s)
            }
            for (si, n) in routes[main].bucketStatuses.enumerated() where n > 0 {
                bursts[i].statuses[statusNames[si], default: 0] += Int(n)
            }
            extended.insert(i)
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
        if let i = ongoingRouteAlert(top, bucketStart: bucketStart) {
            bursts[i].absorb(count: Int(routes[top].bucketConflicts), writes: Int(routes[top].bucketWrites),
                             expected: expected, score: Self.score(pValue), bucketEnd: bucketEnd)
            bursts[i].absorbEvidence(from: routes[top], routeIndex: top, statusNames: statusNames)
            extended.insert(i)
            return
        }
        if openOverall < 0 {
            openOverall = bursts.count
            let s = BurstAlertState(
                id: AlertID.make(kind: "burst", start: bucketStart, key: 0x0DDBA11), scope: .overall, routeIndex: top,
                start: bucketStart, bucketEnd: bucketEnd,
                baselineWritesPerBucket: touchedRoutes.reduce(0) { $0 + routes[$1].baseWritesPerBucket },
                baselineRatio: 0)
            bursts.append(s)
            openBursts.append(openOverall)
        }
        let i = openOverall
        bursts[i].absorb(count: count, writes: touchedRoutes.reduce(0) { $0 + Int(routes[$1].bucketWrites) }, expected: expected, score: Self.score(pValue), bucketEnd: bucketEnd)
        for ri in touchedRoutes where routes[ri].bucketConflicts > 0 {
            bursts[i].absorbEvidence(from: routes[ri], routeIndex: ri, statusNames: statusNames)
        }
        extended.insert(i)
    }

    mutating func quietBucket(end: Int64) {
        for i in openBursts { bursts[i].quietBuckets += 1 }
        closeQuietBursts()
    }

    mutating func closeQuietBursts() {
        openBursts.removeAll { i in
            guard bursts[i].quietBuckets >= p.closeAfter else { return false }
            bursts[i].closedAt = bursts[i].lastAnomalousEnd
            switch bursts[i].scope {
            case .route(let ri):
                routes[ri].openAlert = -1
                routes[ri].lastClosedAlert = i
            case .client(let h): openClientBursts[h] = nil
            case .overall: openOverall = -1
            }
            return true
        }
    }

    /// End of input: the last (partial) bucket is tested like any other; alerts still open
    /// stay open (`end` null), as they would be in a live daemon.
    public mutating func finish() {
        guard currentBucket != .min else { return }
        closeBucket(currentBucket)
        currentBucket += 1
        refreshHotspots(at: lastTime)
    }
}

// MARK: - Reports

extension ContentionModel {
    /// Every alert of the run, open and closed, ordered by start (SPEC §6).
    public func alerts(routeName: (String) -> String = { $0 }) -> [Alert] {
        let names = routes.map { routeName($0.name) }
        let name: (Int) -> String = { names[$0] }
        var out = bursts.map { AlertBuilder.burst($0, routeName: name, p: p) }
        out += hotspots.map { AlertBuilder.hotspot($0, routeName: name, p: p) }
        out.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        return out
    }

    /// One tracked resource's current prediction, for ranking and evaluation.
    public struct ResourceScore: Sendable {
        public var resource: String
        public var route: String
        public var probability: Double
        public var writeRate: Double
        public var writers: Int
        public var editWindowMs: Double
        public var recentConflicts: Double
        public var conflicts: Int
        public var firstSeen: Int64
    }

    /// Predictions for every tracked resource with at least `minWrites` writes, at time `t`
    /// (default: the last traffic time), highest probability first.
    public func resourceScores(at t0: Int64? = nil, routeName: (String) -> String = { $0 }) -> [ResourceScore] {
        let t = t0 ?? lastTime
        var out: [ResourceScore] = []
        for s in resources.occupied where Int(resources.slots[s].totalWrites) >= p.minWrites {
            let ri = Int(resources.slots[s].route)
            let writers = resources.recentWriters(s, at: t, window: writerWindowMicros)
            let rate = rateDecay.ratePerSecond(count: resources.slots[s].writeCount * rateDecay.factor(elapsedMicros: t - resources.slots[s].updated))
            out.append(ResourceScore(
                resource: resources.label(s), route: routeName(routes[ri].name),
                probability: probability(slot: s, route: ri, at: t, writers: writers),
                writeRate: rate, writers: writers, editWindowMs: editWindowSeconds(s, ri) * 1000,
                recentConflicts: resources.slots[s].conflictCount * calibrationDecay.factor(elapsedMicros: t - resources.slots[s].calibrationUpdated),
                conflicts: Int(resources.slots[s].totalConflicts), firstSeen: resources.slots[s].firstSeen))
        }
        out.sort { ($0.probability, $0.writeRate) > ($1.probability, $1.writeRate) }
        return out
    }

    /// The ranked hot-spot list (SPEC §6 rows): the `top` most likely to conflict, above 1%.
    public func hotspotRows(top: Int, routeName: (String) -> String = { $0 }) -> [HotspotRow] {
        resourceScores(routeName: routeName).prefix { $0.probability >= 0.01 }.prefix(top).map {
            HotspotRow(
                resource: $0.resource, route: $0.route, probability: ($0.probability * 1000).rounded() / 1000,
                writeRate: ($0.writeRate * 1000).rounded() / 1000, writers: $0.writers,
                editWindowMs: ($0.editWindowMs * 10).rounded() / 10, conflicts: $0.conflicts,
                since: CivilTime.rfc3339($0.firstSeen))
        }
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
