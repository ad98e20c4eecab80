import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The discrete-event core of `simulate`: a server holding every resource's version, and
/// clients whose next requests wait in a time-ordered queue. Conflicts are never drawn at
/// random: a write is refused because the version it carries is no longer the resource's
/// (someone else wrote in between), because its idempotency key or its booking slot was used,
/// because the document is locked, or because an injected faulty deploy refuses it. Hot spots
/// therefore come from real overlap.
struct SimulationEngine {
    let settings: SimulationSettings
    let start: Int64
    let end: Int64
    let bucketMicros: Int64
    /// Mean gap between background sessions, seconds.
    let sessionGap: Double
    let plan: [InjectedEvent]
    let processes: Set<BackgroundProcess>
    let restartAt: Double?

    var queue = EventQueue()
    /// Client behaviour (sessions, think times, retries).
    var rng: SimulationRandom
    /// Decisions that only injected events make, so they do not shift the background's draws.
    var eventRng: SimulationRandom
    /// Bytes, latencies and request ids: cosmetic, kept apart for the same reason.
    var cosmetic: SimulationRandom
    /// The background processes' clients (bookings, workers), apart from the rest too.
    var trendRng: SimulationRandom
    var catalog: ResourceCatalog
    let pool: ClientPool
    let desk: DocumentDesk
    var calendar: BookingCalendar
    var board: WorkflowBoard
    /// Programs and people working through a route on their own loop (workflow workers,
    /// counter increments): their client index and route.
    var workers: [(client: Int, route: SimulatedRoute)] = []
    /// Background booking POSTs (time, refused), for the truth's description of the trend.
    var bookings: [(time: Int64, refused: Bool)] = []
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
        var firstConflict: Int64 = .max
        var conflictsPerBucket: [Int64: Int] = [:]
        /// A booking rush's clients and whether each got a slot.
        var clients: [Int] = []
        var booked: [Bool] = []
        /// A retry storm: the other conflicts of its route meanwhile, and from how many clients.
        var otherConflicts = 0
        var otherClients: Set<Int> = []

        mutating func note(_ t: Int64, conflict: Bool) {
            first = min(first, t)
            last = max(last, t)
            requests += 1
            if conflict {
                conflicts += 1
                firstConflict = min(firstConflict, t)
            }
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
        trendRng = master.split()
        pool = ClientPool(addresses: settings.clients, rng: &setup)
        // Workflow items the log can get through: at most a transition per worker every
        // couple of seconds, three per item.
        let items = Int(settings.durationSeconds * Double(WorkflowBoard.workersAtEnd) / 6) + WorkflowBoard.backlog
        catalog = ResourceCatalog(clients: pool, workflowItems: items, rng: &setup)
        desk = DocumentDesk(users: pool.count, rng: &setup)
        addresses = pool.addresses + ["10.0.0.2"]
        agents = pool.agents + ["kube-probe/1.29"]
        monitor = pool.count
        let scenarioPlan = settings.scenario.plan(duration: settings.durationSeconds, rng: &planRng)
        plan = scenarioPlan.events
        processes = scenarioPlan.processes
        restartAt = scenarioPlan.restartAt
        calendar = BookingCalendar(duration: settings.durationSeconds, rushes: scenarioPlan.rushes)
        board = WorkflowBoard(capacity: items)
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
            case .retryStorm, .duplicateCreate, .bookingRush: queue.push(.event(i), at: start + micros(e.start))
            case .flashSale(let f): scheduleBuyer(i, f, after: start + micros(f.start))
            case .deployRegression: break  // acts inside writes
            }
        }
        if processes.contains(.bookings) { scheduleBooking(after: start) }
        if processes.contains(.workflows) {
            for k in 0..<WorkflowBoard.workersAtEnd {
                // The first shift arrives within a few seconds, the others through the log.
                let at = WorkflowBoard.joinTime(k, duration: settings.durationSeconds) + trendRng.uniform(0, 5)
                queue.push(.workerJoins(route: .workflows, k), at: start + micros(at))
            }
        }
        if processes.contains(.counterFleet) {
            for k in 0..<CounterFleet.workers {
                queue.push(.workerJoins(route: .counters, k), at: start + micros(trendRng.uniform(0, CounterFleet.pause.upperBound)))
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
            // A worker coming back to an item someone else has finished meanwhile takes another.
            if edit.route == .workflows, catalog.version(.workflows, edit.resource) >= WorkflowBoard.stages {
                workerTask(edit.worker, at: t)
                return
            }
            emit(t, edit.client, "GET", catalog.readPath(edit.route, edit.resource), 200, .ok, route: edit.route, out)
            if edit.event >= 0 { runtime[edit.event].note(t, conflict: false) }
            edit.version = catalog.version(edit.route, edit.resource)
            queue.push(.write(edit), at: t + (edit.worker >= 0 ? Self.think(edit.habit, &trendRng) : think(edit.habit)))
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
        case .bookingArrival:
            queue.push(.bookingView(client: pool.pick(&trendRng), attempt: 1), at: t)
            scheduleBooking(after: t)
        case .bookingView(let client, let attempt):
            bookingView(client: client, attempt: attempt, at: t, out)
        case .bookingPost(let client, let slot, let attempt):
            bookingPost(client: client, slot: slot, attempt: attempt, at: t, out)
        case .rushPost(let i, let k):
            rushPost(i, k, at: t, out)
        case .workerJoins(let route, let k):
            let worker = route == .workflows
                ? addClient("10.30.1.\(k + 10)", agent: WorkflowBoard.agent)
                : addClient("10.40.\(k / 8).\(20 + k % 8 * 3)", agent: CounterFleet.agent)
            workers.append((worker, route))
            queue.push(.workerTask(workers.count - 1), at: t)
        case .workerTask(let w):
            workerTask(w, at: t)
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
        // The document's owner or one of its collaborators, not the session's drawn user.
        case .documentEdit:
            let (document, user) = desk.session(&rng)
            let habit = desk.isLocked[document] ? DocumentDesk.lockedHabit : SimulatedRoute.documents.habit
            job = .read(.init(route: .documents, resource: document, client: user, habit: habit))
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
        } else if route == .documents, desk.isLocked[edit.resource] {
            status = 409
            outcome = .locked
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
            runtime[i].firstConflict = min(runtime[i].firstConflict, t)
        }
        if conflict, edit.event < 0 { noteOtherConflict(route, client: edit.client, at: t) }
        if route == .workflows, outcome == .ok, current + 1 >= WorkflowBoard.stages { board.finished(edit.resource) }
        let habit = edit.habit
        // Workers draw from the processes' generator so that they leave the rest of the
        // background's draws alone.
        if conflict, edit.attempt < habit.maxAttempts,
           edit.worker >= 0 ? trendRng.chance(habit.retryProbability) : rng.chance(habit.retryProbability) {
            var retry = edit
            retry.attempt += 1
            let u = edit.worker >= 0 ? trendRng.unit() : rng.unit()
            let backoff = (habit.backoff.lowerBound + (habit.backoff.upperBound - habit.backoff.lowerBound) * u) * pow(2, Double(edit.attempt - 1))
            queue.push(.read(retry), at: t + micros(backoff))
        } else if edit.worker >= 0 {
            let pause = route == .workflows ? WorkflowBoard.pause : CounterFleet.pause
            queue.push(.workerTask(edit.worker), at: t + micros(trendRng.uniform(pause.lowerBound, pause.upperBound)))
        }
    }

    /// A conflict outside any event: counted for the retry storms running on its route.
    mutating func noteOtherConflict(_ route: SimulatedRoute, client: Int, at t: Int64) {
        for (i, e) in plan.enumerated() {
            guard case .retryStorm(let s) = e, s.route == route,
                  t >= start + micros(s.start), t <= start + micros(s.start + s.seconds) else { continue }
            runtime[i].otherConflicts += 1
            runtime[i].otherClients.insert(client)
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
                runtime[i].resource = catalog.resource(s.route, rank: s.rank)
                // The version it read before someone else's write moved the resource on.
                runtime[i].version = catalog.version(s.route, runtime[i].resource) - 1
            }
            let noRetry = EditHabit(thinkMedian: 0, thinkSigma: 0, retryProbability: 0, backoff: 0...0, maxAttempts: 1)
            write(.init(route: s.route, resource: runtime[i].resource, client: runtime[i].client, version: runtime[i].version,
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
        case .bookingRush(let b):
            // The rushers arrive within a second and a half of the release.
            for k in 0..<b.clients {
                let address = "198.18.\(eventRng.below(4)).\(10 + k * 7 + eventRng.below(7))"
                let client = addClient(address, agent: ClientPool.userAgents[k % 4])
                runtime[i].clients.append(client)
                runtime[i].booked.append(false)
                queue.push(.rushPost(event: i, rusher: k), at: t + micros(eventRng.uniform(0, 1.5)))
            }
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
    mutating func think(_ h: EditHabit) -> Int64 { Self.think(h, &rng) }

    static func think(_ h: EditHabit, _ r: inout SimulationRandom) -> Int64 {
        Int64((min(120, max(0.05, r.logNormal(median: h.thinkMedian, sigma: h.thinkSigma))) * 1e6).rounded())
    }

    func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1e6).rounded()) }

    static func seconds(_ v: Double) -> String { "\((v * 10).rounded() / 10)" }
    static func minutes(_ micros: Int64) -> String { "\((Double(micros) / 6e6).rounded() / 10)" }
}
