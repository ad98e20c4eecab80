#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The contention model (SPEC §5.2–5.4): per-route and per-resource write tracking, hot-spot
/// risk, and burst detection in traffic-time buckets. Fed one exchange at a time by
/// `TrafficAnalyzer`; synchronous, bounded memory, allocation only for new routes, conflict
/// evidence and alerts. All times are traffic times, so replaying a log gives the alerts that
/// living it would have. Alerts live through `AlertLifecycle`s, whose transitions are collected
/// for the daemon (`takeAlertChanges`).
public struct ContentionModel {
    let p: ModelParameters
    let bucketMicros: Int64
    let rateDecay: Decay
    let calibrationDecay: Decay
    let levelDecay: Decay
    /// Baseline forgetting over one bucket.
    let bucketBaselineFactor: Double
    /// Share of the trend baseline kept per bucket.
    let trendKeep: Double
    let writerWindowMicros: Int64
    let reopenMicros: Int64
    let maxEditMicros: Int64
    let warmupMicros: Int64
    /// Expected conflicts in the horizon at which P reaches `hotspot_threshold`.
    let expectedThreshold: Double
    let statusNames: [String]
    let conflictStatuses: [Int32]

    var routes: [RouteModel] = []
    var touchedRoutes: [Int] = []
    var resources: ResourceTable
    var reads: ReadTracker
    var clients: ClientBuckets
    /// The last buckets of clients that had conflicts, for their 3-bucket test.
    var clientHistory: [UInt64: ClientHistory] = [:]
    var currentBucket: Int64 = .min
    public internal(set) var lastTime: Int64 = 0
    /// The model's own clock: the last traffic time, or later when an idle source moved it on.
    public internal(set) var clock: Int64 = 0
    var firstTime: Int64 = .min

    // Alerts, by handle (never reused), so closed ones can be dropped in a long-running daemon.
    var bursts: [Int: BurstAlertState] = [:]
    var openBursts: [Int] = []
    var openClientBursts: [UInt64: Int] = [:]
    var openOverall = -1
    var lastOverall: Int? = nil
    var hotspotGroups: [Int: HotspotGroupState] = [:]
    var nextHandle = 0
    /// Transitions and changed alerts since the last `takeAlertChanges`.
    var transitions: [AlertTransition] = []
    var changedBursts: Set<Int> = []
    var changedGroups: Set<Int> = []
    /// `analyze` keeps every alert of the run; the daemon drops closed ones once taken.
    public var keepsClosedAlerts = true

    public init(parameters: ModelParameters) {
        p = parameters
        bucketMicros = Int64(parameters.bucketSeconds * 1e6)
        rateDecay = Decay(halfLifeSeconds: parameters.rateHalfLifeSeconds)
        calibrationDecay = Decay(halfLifeSeconds: parameters.calibrationHalfLifeSeconds)
        levelDecay = Decay(halfLifeSeconds: parameters.hotspotLevelHalfLifeSeconds)
        bucketBaselineFactor = Decay(halfLifeSeconds: parameters.baselineHalfLifeSeconds).factor(elapsedMicros: Int64(parameters.bucketSeconds * 1e6))
        trendKeep = Decay(halfLifeSeconds: parameters.trendHalfLifeSeconds).factor(elapsedMicros: Int64(parameters.bucketSeconds * 1e6))
        writerWindowMicros = Int64(parameters.writerWindowSeconds * 1e6)
        reopenMicros = Int64(parameters.reopenWindowSeconds * 1e6)
        maxEditMicros = Int64(parameters.maxEditWindowSeconds * 1e6)
        warmupMicros = Int64(Double(max(parameters.warmupBuckets, 1)) * parameters.bucketSeconds * 1e6)
        expectedThreshold = -log1p(-parameters.hotspotThreshold)
        statusNames = parameters.conflictStatuses.map(String.init) + ["other"]
        conflictStatuses = parameters.conflictStatuses.map { Int32($0) }
        resources = ResourceTable(capacity: parameters.maxResources)
        reads = ReadTracker(slots: parameters.readTrackerSlots)
        clients = ClientBuckets(capacity: 32_768)
    }

    // MARK: - Per exchange

    /// Asks the CPU for the table entries a later `observe` of this exchange will touch, so a
    /// caller holding a batch hides the cache misses: `far` (some exchanges ahead) fetches the
    /// read-tracker entry, the client's slot and the resource's set; `near` (a few ahead), with
    /// the set in the cache by then, the resource's slot.
    @inline(__always)
    package func prefetch(pathHash: UInt64, clientHash: UInt64, isWrite: Bool, far: Bool) {
        if far {
            reads.prefetch(client: clientHash, resource: pathHash)
            guard isWrite else { return }
            clients.prefetch(clientHash)
            resources.prefetchSet(hash: pathHash)
        } else if isWrite {
            resources.prefetchSlot(hash: pathHash)
        }
    }

    /// `route` is read only when `routeIndex` is new to the model (it names the route); callers
    /// pass nil for a route the model has.
    @inline(__always)
    public mutating func observe(
        _ x: ExchangeView, routeIndex ri: Int, route: UnsafeRawBufferPointer?,
        pathHash: UInt64, clientHash: UInt64, isWrite: Bool, isConflict: Bool
    ) {
        let t = x.time
        if t > lastTime { lastTime = t }
        if t > clock { clock = t }
        let b = t >= 0 ? t / bucketMicros : (t - bucketMicros + 1) / bucketMicros
        if currentBucket == .min {
            currentBucket = b
            firstTime = t
        } else if b > currentBucket {
            advance(toBucket: b)
        }
        if ri >= routes.count { addRoutes(upTo: ri, route: route ?? .empty, at: t) }
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
        let client = clients.record(clientHash, label: x.client, ratio: routes[ri].testRatio, conflict: isConflict, route: ri)

        // Creates (POST to a collection) make new resources; they cannot race on a version, so
        // they count for the route and its bursts but are not tracked as hot-spot candidates.
        guard !x.method.equals("POST") else {
            if isConflict { recordConflict(x, ri: ri, slot: nil, informed: nil, clientHash: clientHash, pathHash: pathHash) }
            return
        }

        // Resource state.
        let s = resources.slot(hash: pathHash, label: x.path, route: Int32(ri), at: t)
        // A client repeating a write that was refused, with nobody's write accepted since, is one
        // client's retry loop (a burst's business), not more writers competing: it does not
        // raise the resource's write rate.
        let writer = ResourceTable.writerKey(clientHash)
        let repeated = isConflict && resources.slots[s].lastConflictClient == writer
            && resources.slots[s].lastConflict >= resources.slots[s].lastSuccess && resources.slots[s].lastConflict > 0
        if !repeated {
            let rateFactor = rateDecay.factor(elapsedMicros: t - resources.slots[s].updated)
            resources.slots[s].writeCount = resources.slots[s].writeCount * rateFactor + 1
            resources.slots[s].updated = max(resources.slots[s].updated, t)
            let longFactor = levelDecay.factor(elapsedMicros: t - resources.slots[s].longUpdated)
            resources.slots[s].longWrites = resources.slots[s].longWrites * longFactor + 1
            resources.slots[s].longUpdated = max(resources.slots[s].longUpdated, t)
        }
        resources.slots[s].totalWrites &+= 1
        resources.slots[s].lastWrite = t
        let writers = resources.noteWriter(s, client: clientHash, at: t, window: writerWindowMicros)
        var readFirst = false
        if let readAt = reads.takeRead(client: clientHash, resource: pathHash), t >= readAt, t - readAt <= maxEditMicros {
            readFirst = true
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
        let q = HotspotFormula.overlap(rate: rate(slot: s, at: t), editWindowSeconds: editWindowSeconds(s, ri), writers: writers)

        // Calibration sums: what the raw model expected against what happened.
        let calFactor = calibrationDecay.factor(elapsedMicros: t - resources.slots[s].calibrationUpdated)
        resources.slots[s].conflictCount *= calFactor
        resources.slots[s].expectedCount = resources.slots[s].expectedCount * calFactor + q
        resources.slots[s].calibrationUpdated = max(resources.slots[s].calibrationUpdated, t)
        routes[ri].calibrationExpected.add(q, at: t, calibrationDecay)
        if isConflict {
            recordConflict(x, ri: ri, slot: s, informed: readFirst ? client : nil, clientHash: clientHash, pathHash: pathHash)
        } else if x.status >= 200 && x.status < 300 {
            resources.slots[s].lastSuccess = t
            resources.slots[s].lastSuccessClient = writer
        }

        resources.touch(s, decay: rateDecay)
        if Int(resources.slots[s].totalWrites) >= p.minWrites {
            checkHotspot(slot: s, route: ri, writers: writers, x: x, clientHash: clientHash, at: t, conflict: isConflict)
        }
    }

    @inline(__always)
    /// `informed`: the client's slot in this bucket's table when the write followed its own
    /// fresh read of the resource (nil otherwise): a race lost then is counted for it.
    mutating func recordConflict(_ x: ExchangeView, ri: Int, slot: Int?, informed client: Int?, clientHash: UInt64, pathHash: UInt64) {
        let t = x.time
        routes[ri].bucketConflicts &+= 1
        var si = conflictStatuses.count
        for (i, c) in conflictStatuses.enumerated() where c == x.status { si = i; break }
        routes[ri].bucketStatuses[min(si, routes[ri].bucketStatuses.count - 1)] &+= 1
        routes[ri].bucketClients.add(hash: clientHash, label: x.client)
        routes[ri].bucketResources.add(hash: pathHash, label: x.path)
        if routes[ri].bucketSamples.count < RouteModel.samplesPerBucket { routes[ri].bucketSamples.append(Self.sample(x)) }
        guard let s = slot else {
            routes[ri].bucketCreateConflicts &+= 1
            return
        }
        let writer = ResourceTable.writerKey(clientHash)
        let raced = Self.isRace(resources.slots[s], writer: writer, at: t, window: writerWindowMicros)
        resources.slots[s].totalConflicts &+= 1
        resources.slots[s].lastConflict = t
        resources.slots[s].lastConflictClient = writer
        if raced { clients.noteInformedRace(client) }
        // Only races calibrate the overlap model: a locked or finished resource refusing every
        // write, or one client repeating a refused write, says nothing about concurrent writers.
        guard raced else { return }
        // The route's calibration learns only from resources whose conflicts the overlap model
        // can explain within a factor: one stampeded object must not raise every other resource
        // of its route. That resource still learns its own factor.
        if resources.slots[s].conflictCount <= 3 * resources.slots[s].expectedCount + 3 {
            routes[ri].calibrationConflicts.add(1, at: t, calibrationDecay)
        }
        resources.slots[s].conflictCount += 1
    }

    /// A conflict is a race when another client's write was accepted recently (it moved the
    /// version) and this client is not just repeating a write refused before that.
    @inline(__always)
    static func isRace(_ slot: ResourceSlot, writer: UInt32, at t: Int64, window: Int64) -> Bool {
        guard slot.lastSuccess > 0, slot.lastSuccessClient != writer, t - slot.lastSuccess <= window else { return false }
        return !(slot.lastConflictClient == writer && slot.lastConflict >= slot.lastSuccess)
    }

    static func sample(_ x: ExchangeView) -> Alert.Sample {
        Alert.Sample(time: CivilTime.rfc3339(x.time), client: x.client.lossyString, method: x.method.lossyString,
                     path: x.path.lossyString, status: x.status >= 0 ? Int(x.status) : nil)
    }

    mutating func addRoutes(upTo ri: Int, route: UnsafeRawBufferPointer, at t: Int64) {
        while routes.count <= ri {
            let name = routes.count == ri ? route.lossyString : "{unknown}"
            routes.append(newRoute(name: name, at: t))
        }
    }

    func newRoute(name: String, at t: Int64) -> RouteModel {
        var r = RouteModel(name: name)
        r.bucketStatuses = Array(repeating: 0, count: statusNames.count)
        if let b = p.baselines[name] { r.warmStart(b, at: t) }
        r.testRatio = r.expectedRatio(p, trendKeep: trendKeep)
        return r
    }

    // MARK: - Clock

    /// Moves the model's clock to `t` without traffic (an idle source, SPEC §8): buckets that
    /// ended are closed as quiet, so alerts close and hot spots cool down on an idle server.
    public mutating func advanceClock(to t: Int64) {
        guard currentBucket != .min, t > clock else { return }
        clock = t
        let b = t >= 0 ? t / bucketMicros : (t - bucketMicros + 1) / bucketMicros
        if b > currentBucket { advance(toBucket: b) }
    }

    /// Whether any traffic reached the model yet (before that, `clock` means nothing).
    public var hasTraffic: Bool { currentBucket != .min }

    /// Alerts open now (for `/metrics`).
    public var openAlertCount: Int { openBursts.count + hotspotGroups.values.reduce(0) { $0 + ($1.lifecycle.isOpen ? 1 : 0) } }

    /// End of input: the last (partial) bucket is tested like any other; alerts still open
    /// stay open (`end` null), as they would be in a live daemon.
    public mutating func finish() {
        guard currentBucket != .min else { return }
        closeBucket(currentBucket)
        currentBucket += 1
        refreshHotspots(at: clock)
    }
}
