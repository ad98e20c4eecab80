#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The discrete-event core of `simulate`: a server holding every resource's version, and
/// clients whose next requests wait in a time-ordered queue. Conflicts are never drawn at
/// random: a write is refused because the version it carries is no longer the resource's
/// (someone else wrote in between), because its idempotency key was used, or because an
/// injected faulty deploy refuses it. Hot spots therefore come from real overlap.
struct SimulationEngine {
    let settings: SimulationSettings
    let start: Int64
    let end: Int64
    let bucketMicros: Int64
    /// Mean gap between background sessions, seconds.
    let sessionGap: Double
    let plan: [InjectedEvent]

    var queue = EventQueue()
    /// Client behaviour (sessions, think times, retries).
    var rng: SimulationRandom
    /// Decisions that only injected events make, so they do not shift the background's draws.
    var eventRng: SimulationRandom
    /// Bytes, latencies and request ids: cosmetic, kept apart for the same reason.
    var cosmetic: SimulationRandom
    var catalog: ResourceCatalog
    let pool: ClientPool
    /// Per client (a user, with the address it comes from): the pool's users first, then the
    /// health checker, then the clients that events bring.
    var addresses: [String]
    var agents: [String]
    let monitor: Int
    var runtime: [EventRuntime]
    /// Stock resource → the flash sale on it.
    var flashByResource: [Int: Int] = [:]
    var usedKeys: Set<UInt64> = []
    var requests = 0

    /// What happened during an event, for its truth record.
    struct EventRuntime {
        var client = -1
        var resource = -1
        var version = 0
        var key: UInt64 = 0
        var first: Int64 = .max
        var last: Int64 = .min
        var requests = 0
        var conflicts = 0
        var conflictsPerBucket: [Int64: Int] = [:]

        mutating func note(_ t: Int64, conflict: Bool) {
            first = min(first, t)
            last = max(last, t)
            requests += 1
            if conflict { conflicts += 1 }
        }
    }

    init(settings: SimulationSettings) {
        self.settings = settings
        start = settings.startMicros
        end = settings.endMicros
        bucketMicros = Int64(settings.bucketSeconds * 1e6)
        sessionGap = BackgroundMix.meanRequests / settings.rate
        var master = SimulationRandom(seed: settings.seed)
        var setup = master.split()
        rng = master.split()
        eventRng = master.split()
        cosmetic = master.split()
        var planRng = master.split()
        pool = ClientPool(addresses: settings.clients, rng: &setup)
        catalog = ResourceCatalog(clients: pool, rng: &setup)
        addresses = pool.addresses + ["10.0.0.2"]
        agents = pool.agents + ["kube-probe/1.29"]
        monitor = pool.count
        plan = settings.scenario.plan(duration: settings.durationSeconds, rng: &planRng)
        runtime = plan.map { _ in EventRuntime() }
        for (i, e) in plan.enumerated() {
            if case .flashSale(let f) = e { flashByResource[catalog.resource(.stock, rank: f.productRank)] = i }
        }
    }

    // MARK: - Run

    mutating func run(_ out: (SimulatedRequest) -> Void) -> [GroundTruth.Event] {
        queue.push(.arrival, at: start + micros(rng.exponential(mean: sessionGap)))
        for (i, e) in plan.enumerated() {
            switch e {
            case .retryStorm, .duplicateCreate: queue.push(.event(i), at: start + micros(e.start))
            case .flashSale(let f): scheduleBuyer(i, f, after: start + micros(f.start))
            case .deployRegression: break  // acts inside writes
            }
        }
        while let (t, job) = queue.pop(), t < end {
            handle(job, at: t, out)
        }
        return truth()
    }

    mutating func handle(_ job: SimulationJob, at t: Int64, _ out: (SimulatedRequest) -> Void) {
        switch job {
        case .arrival:
            startSession(at: t)
            queue.push(.arrival, at: t + max(1, micros(rng.exponential(mean: sessionGap))))
        case .view(let path, let client):
            emit(t, client, "GET", path, 200, .ok, route: nil, out)
        case .read(var edit):
            emit(t, edit.client, "GET", catalog.path(edit.route, edit.resource), 200, .ok, route: edit.route, out)
            if edit.event >= 0 { runtime[edit.event].note(t, conflict: false) }
            edit.version = catalog.version(edit.route, edit.resource)
            queue.push(.write(edit), at: t + think(edit.habit))
        case .write(let edit):
            write(edit, at: t, out)
        case .create(let client, let key, let repeats):
            create(client: client, key: key, at: t, event: -1, out)
            if repeats > 0 { queue.push(.create(client: client, key: key, repeats: repeats - 1), at: t + micros(rng.uniform(0.2, 1.5))) }
        case .event(let i):
            eventStep(i, at: t, out)
        case .flashArrival(let i):
            guard case .flashSale(let f) = plan[i] else { return }
            let buyer = eventRng.chance(0.3)
                ? addClient("100.64.\(eventRng.below(64)).\(1 + eventRng.below(254))", agent: ClientPool.userAgents[1])
                : pool.pick(&eventRng)
            let resource = catalog.resource(.stock, rank: f.productRank)
            queue.push(.read(.init(route: .stock, resource: resource, client: buyer, habit: .flashBuyer, event: i)), at: t)
            scheduleBuyer(i, f, after: t)
        }
    }

    /// A background session: who does what, drawn from the mix.
    mutating func startSession(at t: Int64) {
        let client = pool.pick(&rng)
        func edit(_ route: SimulatedRoute, _ resource: Int, delete: Bool = false) -> SimulationJob {
            .read(.init(route: route, resource: resource, client: client, habit: route.habit, delete: delete))
        }
        let job: SimulationJob
        switch BackgroundMix.pick(&rng) {
        case .productView: job = .view(path: catalog.productPaths[catalog.pick(.stock, &rng)], client: client)
        case .healthCheck: job = .view(path: "/healthz", client: monitor)
        case .orderView: job = .view(path: catalog.path(.orders, catalog.pick(.orders, &rng)), client: client)
        case .orderEdit: job = edit(.orders, catalog.pick(.orders, &rng))
        // 1% of checkouts are double-submitted (a double click, a retry after a timeout).
        case .orderCreate: job = .create(client: client, key: rng.next(), repeats: rng.chance(0.01) ? 1 : 0)
        case .cartEdit: job = edit(.carts, client)
        // Mostly one's own profile; support staff edit others'.
        case .profileEdit: job = edit(.profiles, rng.chance(0.9) ? client : rng.below(pool.count))
        case .counterIncrement: job = edit(.counters, catalog.pick(.counters, &rng))
        case .noteEdit: job = edit(.notes, catalog.pick(.notes, &rng), delete: rng.chance(0.05))
        case .stockAdjust: job = edit(.stock, catalog.pick(.stock, &rng))
        }
        queue.push(job, at: t)
    }

    // MARK: - The server

    mutating func write(_ edit: SimulationJob.Edit, at t: Int64, _ out: (SimulatedRequest) -> Void) {
        let route = edit.route
        let current = catalog.version(route, edit.resource)
        let status: Int
        let outcome: SimulatedRequest.Outcome
        if let fraction = regressionFraction(route, at: t), eventRng.chance(fraction) {
            status = 409
            outcome = .regression
        } else if route.check == .none || edit.version == current {
            status = edit.delete ? 204 : 200
            outcome = .ok
            catalog.bump(route, edit.resource)
        } else {
            status = route.staleStatus
            outcome = .stale
        }
        let conflict = outcome != .ok
        let r = emit(t, edit.client, edit.delete ? "DELETE" : route.writeMethod, catalog.path(route, edit.resource), status, outcome,
                     route: route, sent: route.check == .none ? nil : edit.version, current: current, out)
        if edit.event >= 0 { runtime[edit.event].note(t, conflict: conflict) }
        if route == .stock, conflict, let i = flashByResource[edit.resource] {
            runtime[i].conflictsPerBucket[AccessLogFormatter.floorDiv(r.time, bucketMicros), default: 0] += 1
        }
        let habit = edit.habit
        if conflict, edit.attempt < habit.maxAttempts, rng.chance(habit.retryProbability) {
            var retry = edit
            retry.attempt += 1
            let backoff = rng.uniform(habit.backoff.lowerBound, habit.backoff.upperBound) * pow(2, Double(edit.attempt - 1))
            queue.push(.read(retry), at: t + micros(backoff))
        }
    }

    /// `POST /api/orders` with an idempotency key: the unique constraint refuses a key seen before.
    mutating func create(client: Int, key: UInt64, at t: Int64, event: Int, _ out: (SimulatedRequest) -> Void) {
        let duplicate = !usedKeys.insert(key).inserted
        emit(t, client, "POST", "/api/orders", duplicate ? 409 : 201, duplicate ? .duplicateKey : .ok, route: nil, out)
        if event >= 0 { runtime[event].note(t, conflict: duplicate) }
    }

    func regressionFraction(_ route: SimulatedRoute, at t: Int64) -> Double? {
        for e in plan {
            guard case .deployRegression(let d) = e, d.route == route else { continue }
            if t >= start + micros(d.start), d.until.map({ t < start + micros($0) }) ?? true { return d.fraction }
        }
        return nil
    }

    // MARK: - Events

    mutating func eventStep(_ i: Int, at t: Int64, _ out: (SimulatedRequest) -> Void) {
        switch plan[i] {
        case .retryStorm(let s):
            if runtime[i].client < 0 {
                runtime[i].client = addClient(s.client, agent: "python-requests/2.31.0")
                runtime[i].resource = catalog.resource(.orders, rank: s.orderRank)
                // The version it read before someone else's write moved the order on.
                runtime[i].version = catalog.version(.orders, runtime[i].resource) - 1
            }
            let noRetry = EditHabit(thinkMedian: 0, thinkSigma: 0, retryProbability: 0, backoff: 0...0, maxAttempts: 1)
            write(.init(route: .orders, resource: runtime[i].resource, client: runtime[i].client, version: runtime[i].version,
                        habit: noRetry, event: i), at: t, out)
            let next = t + micros(s.interval * eventRng.uniform(0.8, 1.2))
            if next < start + micros(s.start + s.seconds) { queue.push(.event(i), at: next) }
        case .duplicateCreate(let d):
            if runtime[i].client < 0 {
                runtime[i].client = addClient(d.client, agent: "shop-android/3.1.0 okhttp/4.12.0")
                runtime[i].key = eventRng.next()
            }
            create(client: runtime[i].client, key: runtime[i].key, at: t, event: i, out)
            let next = t + micros(d.interval * eventRng.uniform(0.8, 1.2))
            if next < start + micros(d.start + d.seconds) { queue.push(.event(i), at: next) }
        case .deployRegression, .flashSale:
            break
        }
    }

    /// Next buyer of a flash sale after `t`, by thinning a Poisson process at the peak rate.
    mutating func scheduleBuyer(_ i: Int, _ f: InjectedEvent.FlashSale, after t0: Int64) {
        var t = t0
        let saleEnd = start + micros(f.end)
        while true {
            t += max(1, micros(eventRng.exponential(mean: 1 / f.peakRate)))
            if t > saleEnd { return }
            let at = Double(t - start) / 1e6
            if eventRng.unit() * f.peakRate < f.rate(at: at) {
                queue.push(.flashArrival(i), at: t)
                return
            }
        }
    }

    // MARK: - Output

    @discardableResult
    mutating func emit(
        _ t: Int64, _ client: Int, _ method: String, _ path: String, _ status: Int, _ outcome: SimulatedRequest.Outcome,
        route: SimulatedRoute?, sent: Int? = nil, current: Int? = nil, _ out: (SimulatedRequest) -> Void
    ) -> SimulatedRequest {
        let read = method == "GET"
        let bytes = status == 204 ? 0 : status >= 400 ? 60 + cosmetic.below(80) : read ? 300 + cosmetic.below(1200) : 150 + cosmetic.below(300)
        let latency = cosmetic.logNormal(median: read ? 0.012 : 0.025, sigma: 0.6)
        let r = SimulatedRequest(
            time: t, client: addresses[client], method: method, path: path, status: status, bytes: bytes,
            latencyMicros: micros(min(latency, 30)), userAgent: agents[client], requestID: requestID(),
            outcome: outcome, route: route, sentVersion: sent, currentVersion: current)
        requests += 1
        out(r)
        return r
    }

    /// 32 hex digits, like nginx's `$request_id`.
    mutating func requestID() -> String {
        let a = String(cosmetic.next(), radix: 16), b = String(cosmetic.next(), radix: 16)
        return String(repeating: "0", count: 16 - a.count) + a + String(repeating: "0", count: 16 - b.count) + b
    }

    mutating func addClient(_ address: String, agent: String) -> Int {
        addresses.append(address)
        agents.append(agent)
        return addresses.count - 1
    }

    /// The read→write gap: log-normal, at least 50 ms, at most 2 minutes.
    mutating func think(_ h: EditHabit) -> Int64 {
        micros(min(120, max(0.05, rng.logNormal(median: h.thinkMedian, sigma: h.thinkSigma))))
    }

    func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1e6).rounded()) }

    // MARK: - Truth

    /// The truth records of the events that happened (an event whose time fell after the end
    /// of the log is left out).
    func truth() -> [GroundTruth.Event] {
        var events: [GroundTruth.Event] = []
        let rfc = CivilTime.rfc3339
        for (i, e) in plan.enumerated() {
            let rt = runtime[i]
            let id = "e\(i + 1)"
            switch e {
            case .retryStorm(let s):
                guard rt.requests > 0 else { continue }
                let path = catalog.path(.orders, rt.resource)
                events.append(.init(
                    id: "\(id)-retry-storm", kind: "burst", class: "single_client", route: SimulatedRoute.orders.template,
                    resource: path, client: s.client, start: rfc(rt.first), end: rfc(rt.last),
                    description: "\(s.client) replays a stale If-Match on \(path) every ~\(Self.seconds(s.interval)) s "
                        + "without back-off for \(Self.minutes(rt.last - rt.first)) min: \(rt.conflicts) × 412"))
            case .duplicateCreate(let d):
                guard rt.requests > 0 else { continue }
                events.append(.init(
                    id: "\(id)-duplicate-create", kind: "burst", class: "single_client", route: "/api/orders",
                    resource: "/api/orders", client: d.client, start: rfc(rt.first), end: rfc(rt.last),
                    description: "\(d.client) repeats one POST /api/orders (same idempotency key) every ~\(Self.seconds(d.interval)) s "
                        + "for \(Self.minutes(rt.last - rt.first)) min: \(rt.conflicts) × 409"))
            case .deployRegression(let r):
                let from = start + micros(r.start)
                guard from < end else { continue }
                let until = r.until.map { min(end, start + micros($0)) } ?? end
                events.append(.init(
                    id: "\(id)-deploy-regression", kind: "burst", class: "route_wide", route: r.route.template,
                    resource: nil, client: nil, start: rfc(from), end: rfc(until),
                    description: "a deploy makes \(r.route.template) answer 409 to \(Int((r.fraction * 100).rounded()))% of writes"
                        + (r.until.map { _ in ", rolled back after \(Self.minutes(until - from)) min" } ?? ", not rolled back")))
            case .flashSale(let f):
                guard rt.requests > 0 else { continue }
                let path = catalog.path(.stock, catalog.resource(.stock, rank: f.productRank))
                // The earliest bucket with the most conflicts on the product.
                let peak = rt.conflictsPerBucket.max { ($0.value, $1.key) < ($1.value, $0.key) }
                events.append(.init(
                    id: "\(id)-flash-sale", kind: "hotspot", class: "single_resource", route: SimulatedRoute.stock.template,
                    resource: path, client: nil, start: rfc(rt.first), end: rfc(rt.last),
                    peak: peak.map { rfc($0.key * bucketMicros) },
                    description: "flash sale on \(path): buyers ramp to \(Self.seconds(f.peakRate))/s over \(Self.minutes(micros(f.rampUp))) min "
                        + "and back over \(Self.minutes(micros(f.rampDown))) min; \(rt.conflicts) × 412, peak \(peak?.value ?? 0) in one bucket"))
            }
        }
        return events
    }

    static func seconds(_ v: Double) -> String { "\((v * 10).rounded() / 10)" }
    static func minutes(_ micros: Int64) -> String { "\((Double(micros) / 6e6).rounded() / 10)" }
}
