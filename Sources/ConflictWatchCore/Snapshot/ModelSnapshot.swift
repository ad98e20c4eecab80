/// The analyzer's restart state (SPEC §5.5): everything the model's verdicts depend on — route
/// baselines (per status and trend included), the current bucket's counts and evidence, the
/// resources that matter (open hot spots, heavy and recent writers, up to `maxResources`), the
/// open and reopenable alerts with their ids, and the learned `{var}` positions and route order —
/// so a restarted daemon gives the verdicts an uninterrupted one would have. Binary and compact:
/// the daemon writes it with every store commit, beside the checkpoints of the lines it covers.
/// Only the pending read→write windows are left out (a few edit-window samples at most).
public enum ModelSnapshot {
    /// Bumped when the layout changes; an unknown version restores nothing (a cold start).
    static let version: Int64 = 5
    static let magic: UInt64 = 0x4357_534E_4150_0001  // "CWSNAP"
    /// Resources kept per snapshot, strongest first.
    public static let maxResources = 8192

    public struct Incompatible: Error, CustomStringConvertible {
        public var description: String
    }
}

extension TrafficAnalyzer {
    /// The state to restart from, as bytes. `lastSize` is the size of the caller's last
    /// snapshot, started from with an eighth more: a daemon writes one with every commit, and an
    /// array grown from a small start to the 2.5 MB of a busy model is copied at every doubling.
    public func snapshot(lastSize: Int = 64 * 1024) -> [UInt8] {
        var w = SnapshotWriter(capacity: lastSize + lastSize / 8)
        w.u64(ModelSnapshot.magic)
        w.int(ModelSnapshot.version)
        // Layouts written raw, and the parameters that give the state its meaning.
        w.int(MemoryLayout<ResourceSlot>.size)
        w.int(MemoryLayout<ClientBuckets.Entry>.size)
        w.double(model.p.bucketSeconds)
        w.int(model.statusNames.count)
        w.int(routes.count)
        for i in 0..<routes.count { w.data(routes.keys[i]) }
        normalizer.learner.write(to: &w)
        model.write(to: &w)
        return w.bytes
    }

    /// Restores a snapshot into a fresh analyzer (made with the same parameters). Throws, leaving
    /// the analyzer as fresh as it was, when the bytes are not a snapshot this build can use.
    public mutating func restore(_ bytes: [UInt8]) throws {
        var r = SnapshotReader(bytes)
        guard try r.u64() == ModelSnapshot.magic else { throw ModelSnapshot.Incompatible(description: "not a model snapshot") }
        let v = try r.int()
        guard v == ModelSnapshot.version else { throw ModelSnapshot.Incompatible(description: "snapshot version \(v), this build reads \(ModelSnapshot.version)") }
        guard try r.int() == MemoryLayout<ResourceSlot>.size, try r.int() == MemoryLayout<ClientBuckets.Entry>.size else {
            throw ModelSnapshot.Incompatible(description: "snapshot written by a different build")
        }
        let bucket = try r.double()
        let statuses = try r.int()
        guard bucket == model.p.bucketSeconds, statuses == model.statusNames.count else {
            throw ModelSnapshot.Incompatible(description: "snapshot made with other bucket_seconds or conflict_statuses")
        }
        var fresh = TrafficAnalyzer(parameters: model.p)
        let routeCount = try r.count(max: 1_000_000)
        for _ in 0..<routeCount {
            let key = Array(try r.data())
            _ = key.withUnsafeBytes { fresh.resolver.mirror(route: $0) }
        }
        fresh.resolver.normalizer.learner = try VarPositionLearner(from: &r, like: fresh.normalizer.learner)
        try fresh.model.read(from: &r)
        guard r.atEnd else { throw SnapshotReader.Truncated() }
        self = fresh
    }
}

extension VarPositionLearner {
    func write(to w: inout SnapshotWriter) {
        w.int(used)
        w.int(generation)
        for i in 0..<keys.count where keys[i] != 0 {
            w.u64(keys[i])
            w.u32(UInt32(setBits[i]))
            w.bool(isVar[i])
            for k in 0..<Self.wordsPerPosition { w.u64(bitmapWord(i, k)) }
        }
    }

    init(from r: inout SnapshotReader, like empty: VarPositionLearner) throws(SnapshotReader.Truncated) {
        self = empty
        let n = try r.count(max: keys.count)
        generation = Int(try r.int())
        for _ in 0..<n {
            let key = try r.u64()
            let bits = try r.u32()
            let variable = try r.bool()
            let mask = keys.count - 1
            var i = Int(truncatingIfNeeded: key) & mask
            while keys[i] != 0 { i = (i + 1) & mask }
            claim(i, key: key)
            setBits[i] = UInt16(truncatingIfNeeded: bits)
            isVar[i] = variable
            let row = Int(rows[i]) * Self.wordsPerPosition
            for k in 0..<Self.wordsPerPosition { bitmaps[row + k] = try r.u64() }
        }
    }
}

extension SpaceSaving {
    func write(to w: inout SnapshotWriter) {
        w.int(capacity)
        w.u64(total)
        for i in 0..<capacity {
            w.u64(hashes[i])
            w.u32(counts[i])
            let start = i * Self.labelBytes
            w.data(labels[start..<(start + Int(labelLengths[i]))])
        }
    }

    init(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        self.init(capacity: try r.count(max: 4096))
        total = try r.u64()
        for i in 0..<capacity {
            hashes[i] = try r.u64()
            counts[i] = try r.u32()
            let label = try r.data()
            guard label.count <= Self.labelBytes else { throw SnapshotReader.Truncated() }
            labelLengths[i] = UInt8(label.count)
            let start = i * Self.labelBytes
            labels.replaceSubrange(start..<(start + label.count), with: label)
        }
    }
}

extension Alert.Sample {
    func write(to w: inout SnapshotWriter) {
        w.string(time)
        w.string(client)
        w.string(method)
        w.string(path)
        w.optionalInt(status.map(Int64.init))
    }

    init(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        self.init(time: try r.string(), client: try r.string(), method: try r.string(), path: try r.string(),
                  status: try r.optionalInt().map(Int.init))
    }
}

extension AlertLifecycle {
    func write(to w: inout SnapshotWriter) {
        switch state {
        case .open(let q):
            w.bool(true)
            w.int(q)
        case .closed(let t):
            w.bool(false)
            w.int(t)
        }
    }

    init(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        self.init(state: try r.bool() ? .open(quietBuckets: Int(try r.int())) : .closed(at: try r.int()))
    }
}

extension RouteModel {
    func write(to w: inout SnapshotWriter) {
        w.string(name)
        w.u32(bucketWrites)
        w.u32(bucketConflicts)
        w.u32(bucketCreateConflicts)
        w.int(bucketStatuses.count)
        for s in bucketStatuses { w.u32(s) }
        bucketClients.write(to: &w)
        bucketResources.write(to: &w)
        w.int(bucketSamples.count)
        for s in bucketSamples { s.write(to: &w) }
        w.bool(touched)
        for v in [baseConflicts, baseWrites, baseBuckets, baseResidual, baseMean] { w.double(v) }
        w.int(baseStatusConflicts.count)
        for v in baseStatusConflicts { w.double(v) }
        w.int(previous.count)
        for v in previous {
            w.int(v.count)
            w.double(v.mean)
            w.double(v.size)
        }
        w.bool(lastTwoAnomalous.0)
        w.bool(lastTwoAnomalous.1)
        for v in [trend.conflicts, trend.writes, trend.s2Sum, trend.s2Weight, testRatio] { w.double(v) }
        w.int(warmBuckets)
        w.bool(trained)
        w.double(editWindowMs)
        for c in [calibrationConflicts, calibrationExpected] {
            w.double(c.value)
            w.int(c.updated)
        }
        w.double(calibration)
        w.int(openAlert)
        w.optionalInt(lastClosedAlert.map(Int64.init))
        w.int(hotspotGroup)
        w.optionalInt(lastHotspotGroup.map(Int64.init))
    }

    init(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        self.init(name: try r.string())
        bucketWrites = try r.u32()
        bucketConflicts = try r.u32()
        bucketCreateConflicts = try r.u32()
        bucketStatuses = []
        for _ in 0..<(try r.count(max: 1024)) { bucketStatuses.append(try r.u32()) }
        bucketClients = try SpaceSaving(from: &r)
        bucketResources = try SpaceSaving(from: &r)
        for _ in 0..<(try r.count(max: 4096)) { bucketSamples.append(try Alert.Sample(from: &r)) }
        touched = try r.bool()
        baseConflicts = try r.double()
        baseWrites = try r.double()
        baseBuckets = try r.double()
        baseResidual = try r.double()
        baseMean = try r.double()
        for _ in 0..<(try r.count(max: 1024)) { baseStatusConflicts.append(try r.double()) }
        for _ in 0..<(try r.count(max: 2)) { previous.append((Int(try r.int()), try r.double(), try r.double())) }
        lastTwoAnomalous = (try r.bool(), try r.bool())
        previousAnomalous = lastTwoAnomalous.0 || lastTwoAnomalous.1
        trend = TrendBaseline(conflicts: try r.double(), writes: try r.double(), s2Sum: try r.double(), s2Weight: try r.double())
        testRatio = try r.double()
        warmBuckets = Int(try r.int())
        trained = try r.bool()
        editWindowMs = try r.double()
        calibrationConflicts = DecayedCount(value: try r.double(), updated: try r.int())
        calibrationExpected = DecayedCount(value: try r.double(), updated: try r.int())
        calibration = try r.double()
        openAlert = Int(try r.int())
        lastClosedAlert = try r.optionalInt().map(Int.init)
        hotspotGroup = Int(try r.int())
        lastHotspotGroup = try r.optionalInt().map(Int.init)
    }
}

extension BurstAlertState {
    func write(to w: inout SnapshotWriter) {
        w.string(id)
        switch scope {
        case .route(let ri):
            w.int(0)
            w.int(ri)
        case .client(let h):
            w.int(1)
            w.u64(h)
        case .overall:
            w.int(2)
        }
        w.int(routeIndex)
        w.bool(clientLabel != nil)
        if let clientLabel { w.string(clientLabel) }
        w.int(start)
        w.int(lastAnomalousEnd)
        lifecycle.write(to: &w)
        for v in [transitions, anomalousBuckets, peakCount, conflicts, writes, createConflicts, levelCount] { w.int(v) }
        for v in [expectedAtPeak, maxScore, expected, baselineWritesPerBucket, baselineRatio] { w.double(v) }
        w.bool(multiRoute)
        w.int(statuses.count)
        for (k, v) in statuses.sorted(by: { $0.key < $1.key }) {
            w.string(k)
            w.int(v)
        }
        for s in [clients, resources, excessClients, excessResources] { s.write(to: &w) }
        w.int(routesHit.count)
        for (k, v) in routesHit.sorted(by: { $0.key < $1.key }) {
            w.int(k)
            w.int(v)
        }
        w.int(samples.count)
        for s in samples { s.write(to: &w) }
        w.int(escalations.count)
        for e in escalations {
            w.int(e.time)
            w.int(e.count)
            w.double(e.expected)
        }
    }

    init(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        let id = try r.string()
        let scope: Scope
        switch try r.int() {
        case 0: scope = .route(Int(try r.int()))
        case 1: scope = .client(try r.u64())
        case 2: scope = .overall
        default: throw SnapshotReader.Truncated()
        }
        let routeIndex = Int(try r.int())
        let label = try r.bool() ? try r.string() : nil
        let start = try r.int()
        let lastEnd = try r.int()
        self.init(id: id, scope: scope, routeIndex: routeIndex, start: start, bucketEnd: lastEnd, baselineWritesPerBucket: 0, baselineRatio: 0)
        clientLabel = label
        lifecycle = try AlertLifecycle(from: &r)
        transitions = Int(try r.int())
        anomalousBuckets = Int(try r.int())
        peakCount = Int(try r.int())
        conflicts = Int(try r.int())
        writes = Int(try r.int())
        createConflicts = Int(try r.int())
        levelCount = Int(try r.int())
        expectedAtPeak = try r.double()
        maxScore = try r.double()
        expected = try r.double()
        baselineWritesPerBucket = try r.double()
        baselineRatio = try r.double()
        multiRoute = try r.bool()
        for _ in 0..<(try r.count(max: 1024)) { statuses[try r.string()] = Int(try r.int()) }
        clients = try SpaceSaving(from: &r)
        resources = try SpaceSaving(from: &r)
        excessClients = try SpaceSaving(from: &r)
        excessResources = try SpaceSaving(from: &r)
        for _ in 0..<(try r.count(max: 1_000_000)) { routesHit[Int(try r.int())] = Int(try r.int()) }
        for _ in 0..<(try r.count(max: 4096)) { samples.append(try Alert.Sample(from: &r)) }
        for _ in 0..<(try r.count(max: 1_000_000)) {
            escalations.append(Escalation(time: try r.int(), count: Int(try r.int()), expected: try r.double()))
        }
    }
}

extension HotspotGroupState {
    func write(to w: inout SnapshotWriter) {
        w.string(id)
        w.int(routeIndex)
        w.int(start)
        lifecycle.write(to: &w)
        w.int(transitions)
        w.int(conflicts)
        w.int(members.count)
        for m in members {
            w.u64(m.hash)
            w.string(m.resource)
            w.int(m.since)
            w.double(m.peakProbability)
            w.double(m.peakExpected)
            w.int(m.peakWriters)
            w.double(m.rate)
            w.bool(m.editWindowMs != nil)
            w.double(m.editWindowMs ?? 0)
            w.int(m.conflicts)
            w.bool(m.active)
        }
        w.int(statuses.count)
        for (k, v) in statuses.sorted(by: { $0.key < $1.key }) {
            w.string(k)
            w.int(v)
        }
        writers.write(to: &w)
        w.int(samples.count)
        for s in samples { s.write(to: &w) }
    }

    init(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        self.init(id: try r.string(), routeIndex: Int(try r.int()), start: try r.int())
        lifecycle = try AlertLifecycle(from: &r)
        transitions = Int(try r.int())
        conflicts = Int(try r.int())
        for _ in 0..<(try r.count(max: Self.maxMembers)) {
            let hash = try r.u64(), resource = try r.string(), since = try r.int()
            let prob = try r.double(), expected = try r.double(), writers = Int(try r.int()), rate = try r.double()
            let measured = try r.bool()
            let window = try r.double()
            var m = Member(hash: hash, resource: resource, since: since, peakProbability: prob, peakExpected: expected,
                           peakWriters: writers, rate: rate, editWindowMs: measured ? window : nil)
            m.conflicts = Int(try r.int())
            m.active = try r.bool()
            members.append(m)
        }
        for _ in 0..<(try r.count(max: 1024)) { statuses[try r.string()] = Int(try r.int()) }
        writers = try SpaceSaving(from: &r)
        for _ in 0..<(try r.count(max: 4096)) { samples.append(try Alert.Sample(from: &r)) }
    }
}

extension ContentionModel {
    func write(to w: inout SnapshotWriter) {
        for v in [currentBucket, lastTime, clock, firstTime] { w.int(v) }
        w.int(nextHandle)
        w.int(routes.count)
        for r in routes { r.write(to: &w) }
        w.int(touchedRoutes.count)
        for ri in touchedRoutes { w.int(ri) }
        // The current bucket's writing clients.
        w.int(clients.used.count)
        for i in clients.used {
            w.raw(clients.entries[i])
            w.data(clients.labelBytes(i))
        }
        w.int(clientHistory.count)
        for (h, c) in clientHistory.sorted(by: { $0.key < $1.key }) {
            w.u64(h)
            for v in [c.bucket, Int64(c.count), Int64(c.writes), c.previous.bucket, Int64(c.previous.count), Int64(c.previous.writes)] { w.int(v) }
            w.double(c.expected)
            w.double(c.previous.expected)
        }
        // Resources: open hot spots first, then the heaviest by eviction weight.
        var chosen = resources.occupied
        if chosen.count > ModelSnapshot.maxResources {
            chosen = HeaviestFirst.prefix(of: chosen, keep: ModelSnapshot.maxResources) { s in
                resources.slots[s].openHotspot >= 0 ? resources.evictionKey[s] + 1e12 : resources.evictionKey[s]
            }
        }
        w.int(chosen.count)
        // Asked for a few resources ahead: in this order they are random accesses, and copying
        // them was a third of the snapshot's time, waiting on memory (perf).
        let ahead = 8
        for i in 0..<min(ahead, chosen.count) { resources.prefetchEntry(chosen[i]) }
        for (i, s) in chosen.enumerated() {
            if i + ahead < chosen.count { resources.prefetchEntry(chosen[i + ahead]) }
            w.u64(resources.hashes[s])
            w.double(resources.evictionKey[s])
            w.raw(resources.slots[s])
            w.data(UnsafeBufferPointer(start: resources.labels(s), count: Int(resources.slots[s].labelLength)))
        }
        // Alerts that can still change: open, or closed within the reopen window.
        let live = bursts.filter { $0.value.lifecycle.isOpen || $0.value.lifecycle.canReopen(at: clock, window: reopenMicros) }
        w.int(live.count)
        for (h, s) in live.sorted(by: { $0.key < $1.key }) {
            w.int(h)
            s.write(to: &w)
        }
        w.int(openBursts.count)
        for h in openBursts { w.int(h) }
        w.int(openOverall)
        w.optionalInt(lastOverall.map(Int64.init))
        let groups = hotspotGroups.filter { $0.value.lifecycle.isOpen || $0.value.lifecycle.canReopen(at: clock, window: reopenMicros) }
        w.int(groups.count)
        for (g, s) in groups.sorted(by: { $0.key < $1.key }) {
            w.int(g)
            s.write(to: &w)
        }
    }

    mutating func read(from r: inout SnapshotReader) throws(SnapshotReader.Truncated) {
        currentBucket = try r.int()
        lastTime = try r.int()
        clock = try r.int()
        firstTime = try r.int()
        nextHandle = Int(try r.int())
        routes = []
        for _ in 0..<(try r.count(max: 1_000_000)) { routes.append(try RouteModel(from: &r)) }
        touchedRoutes = []
        for _ in 0..<(try r.count(max: routes.count)) {
            let ri = Int(try r.int())
            guard routes.indices.contains(ri) else { throw SnapshotReader.Truncated() }
            touchedRoutes.append(ri)
        }
        for _ in 0..<(try r.count(max: clients.capacity / 2)) {
            let e = try r.raw(ClientBuckets.Entry.self)
            let label = try r.data()
            clients.restore(e, label: label)
        }
        clientHistory = [:]
        for _ in 0..<(try r.count(max: 16 * ClientHistory.limit)) {
            let h = try r.u64()
            let bucket = try r.int(), count = Int(try r.int()), writes = Int(try r.int())
            let previousBucket = try r.int(), previousCount = Int(try r.int()), previousWrites = Int(try r.int())
            let expected = try r.double(), previousExpected = try r.double()
            clientHistory[h] = ClientHistory(bucket: bucket, count: count, expected: expected, writes: writes,
                                             previous: .init(bucket: previousBucket, count: previousCount, expected: previousExpected, writes: previousWrites))
        }
        for _ in 0..<(try r.count(max: ModelSnapshot.maxResources)) {
            let hash = try r.u64()
            let key = try r.double()
            let slot = try r.raw(ResourceSlot.self)
            let label = try r.data()
            guard Int(slot.route) < routes.count else { throw SnapshotReader.Truncated() }
            let s = Array(label).withUnsafeBytes { resources.slot(hash: hash, label: $0, route: slot.route, at: slot.firstSeen) }
            let length = resources.slots[s].labelLength
            resources.slots[s] = slot
            resources.slots[s].labelLength = length
            resources.evictionKey[s] = key
        }
        bursts = [:]
        for _ in 0..<(try r.count()) {
            let h = Int(try r.int())
            bursts[h] = try BurstAlertState(from: &r)
        }
        openBursts = []
        openClientBursts = [:]
        for _ in 0..<(try r.count()) {
            let h = Int(try r.int())
            guard let s = bursts[h] else { throw SnapshotReader.Truncated() }
            openBursts.append(h)
            if case .client(let c) = s.scope { openClientBursts[c] = h }
        }
        openOverall = Int(try r.int())
        lastOverall = try r.optionalInt().map(Int.init)
        hotspotGroups = [:]
        for _ in 0..<(try r.count()) {
            let g = Int(try r.int())
            hotspotGroups[g] = try HotspotGroupState(from: &r)
        }
        // Handles of alerts that were dropped (closed long ago) are forgotten.
        for ri in routes.indices {
            if routes[ri].openAlert >= 0, bursts[routes[ri].openAlert] == nil { routes[ri].openAlert = -1 }
            if let h = routes[ri].lastClosedAlert, bursts[h] == nil { routes[ri].lastClosedAlert = nil }
            if routes[ri].hotspotGroup >= 0, hotspotGroups[routes[ri].hotspotGroup] == nil { routes[ri].hotspotGroup = -1 }
            if let g = routes[ri].lastHotspotGroup, hotspotGroups[g] == nil { routes[ri].lastHotspotGroup = nil }
        }
        if openOverall >= 0, bursts[openOverall] == nil { openOverall = -1 }
    }
}

extension ClientBuckets {
    /// Puts back an entry of a snapshot (same slot rule as `record`).
    mutating func restore(_ e: Entry, label: ArraySlice<UInt8>) {
        guard e.hash != 0, let (i, isNew) = slot(for: e.hash), isNew else { return }
        entries[i] = e
        let n = min(label.count, Self.labelBytes)
        entries[i].labelLength = UInt8(n)
        labels.replaceSubrange((i * Self.labelBytes)..<(i * Self.labelBytes + n), with: label.prefix(n))
        used.append(i)
    }
}
