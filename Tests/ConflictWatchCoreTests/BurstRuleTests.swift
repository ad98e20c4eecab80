import Testing
@testable import ConflictWatchCore

/// One test per burst rule of SPEC §5.4, each built so that it fails when its rule is removed or
/// inverted (the closing note of issue 9 records which test each hand mutation broke).
@Suite struct BurstRuleTests {
    static let second: Int64 = 1_000_000
    static let minute: Int64 = 60_000_000

    /// Writes at an exact rate, `conflictEvery`-th write a conflict: no randomness, so counts per
    /// bucket are known.
    static func steady(_ d: inout TrafficDriver, route: String = "/api/orders", from t0: Int64, seconds: Int, perSecond: Int,
                       conflictEvery: Int, clients: Int = 40, resources: Int = 300, status: Int = 409) {
        var i = 0
        for s in 0..<seconds {
            for k in 0..<perSecond {
                let t = t0 + Int64(s) * second + Int64(k) * (second / Int64(perSecond))
                let conflict = conflictEvery > 0 && i % conflictEvery == conflictEvery - 1
                d.send(at: t, client: "10.0.\(i % clients / 250).\(i % clients % 250 + 1)", method: "PUT",
                       path: "\(route)/\((i * 7919) % resources)", status: conflict ? status : 200)
                i += 1
            }
        }
    }

    /// Ten writes a second for `seconds` from 60 clients (`clientPrefix` + 1…60), each conflicting
    /// with probability `ratio(second)` (one random draw per write, in write order).
    static func randomConflicts(_ d: inout TrafficDriver, seconds: Int, clientPrefix: String, method: String, status: Int,
                                path: (Int) -> String, ratio: (Int) -> Double) {
        let t0 = TrafficDriver.start
        var i = 0
        for s in 0..<seconds {
            let r = ratio(s)
            for k in 0..<10 {
                let conflict = d.random() < r
                d.send(at: t0 + Int64(s) * second + Int64(k) * 100_000, client: "\(clientPrefix)\(i % 60 + 1)", method: method,
                       path: path(i), status: conflict ? status : 200)
                i += 1
            }
        }
    }

    static func storm(_ d: inout TrafficDriver, client: String, path: String, from t0: Int64, seconds: Int, perSecond: Int, status: Int = 412, method: String = "PUT") {
        for s in 0..<(seconds * perSecond) {
            d.send(at: t0 + Int64(s) * second / Int64(perSecond), client: client, method: method, path: path, status: status)
        }
    }

    // MARK: trend following

    /// Conflicts rise from 2% to 30% of writes over 40 minutes after ten steady ones (slots
    /// filling up).
    static func slotsFillingUp(_ s: Int) -> Double {
        s < 600 ? 0.02 : min(0.30, 0.02 + 0.28 * Double(s - 600) / 2400)
    }

    @Test func aSlowTrendIsFollowedNotAlerted() {
        // Conflicts rise from 2% to 30% of writes over 40 minutes (slots filling up), 10 writes/s.
        var d = TrafficDriver()
        Self.randomConflicts(&d, seconds: 60 * 60, clientPrefix: "10.1.0.", method: "PATCH", status: 409,
                             path: { "/api/workflows/\($0 % 500)/state" }, ratio: Self.slotsFillingUp)
        let bursts = d.bursts()
        #expect(bursts.isEmpty, "a slow trend raised \(bursts.map { "\($0.start) \($0.reason)" })")
    }

    @Test func aStepOnTopOfATrendIsStillFound() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        // A regression on top of the trend: every transition refused for 25 s at minute 35.
        Self.randomConflicts(&d, seconds: 45 * 60, clientPrefix: "10.1.0.", method: "PATCH", status: 409,
                             path: { "/api/workflows/\($0 % 500)/state" },
                             ratio: { $0 >= 35 * 60 && $0 < 35 * 60 + 25 ? 1 : Self.slotsFillingUp($0) })
        let bursts = d.bursts()
        let hit = try #require(bursts.first { a in
            let start = parseRFC3339(a.start) ?? 0
            return start >= t0 + 35 * Self.minute - 10 * Self.second && start <= t0 + 35 * Self.minute + 20 * Self.second
        }, "alerts: \(bursts.map { "\($0.start) \($0.class)" })")
        #expect(hit.class.contains("ratio_driven"))
        #expect(hit.class.first == "route_wide")
        #expect(bursts.count == 1, "\(bursts.map { "\($0.start) \($0.reason)" })")
    }

    // MARK: escalation

    @Test func aJumpOnAnOpenBurstEscalates() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, from: t0, seconds: 30 * 60, perSecond: 5, conflictEvery: 50)
        // A retry storm of 1 conflict/s for 3 minutes; 1 minute in, a second client joins at 8/s.
        Self.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 20 * Self.minute, seconds: 180, perSecond: 1)
        Self.storm(&d, client: "127.0.0.67", path: "/api/orders/13", from: t0 + 21 * Self.minute, seconds: 60, perSecond: 8)
        d.finish()
        let (alerts, transitions) = d.analyzer.takeAlertChanges()
        let escalated = transitions.filter { $0.kind == .escalated }
        #expect(!escalated.isEmpty, "transitions: \(transitions.map { "\($0.kind) \($0.alertID)" }), alerts: \(alerts.map(\.reason))")
        let alert = try #require(alerts.first { a in escalated.contains { $0.alertID == a.id } })
        let step = try #require(alert.escalations.first.flatMap { parseRFC3339($0.time) })
        #expect(step >= t0 + 21 * Self.minute && step <= t0 + 21 * Self.minute + 3 * 10 * Self.second)
    }

    @Test func aSteadyIncidentDoesNotEscalate() {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, from: t0, seconds: 30 * 60, perSecond: 5, conflictEvery: 50)
        Self.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 20 * Self.minute + 3 * Self.second, seconds: 180, perSecond: 3)
        d.finish()
        let transitions = d.analyzer.takeAlertChanges().transitions
        #expect(!transitions.contains { $0.kind == .escalated }, "\(transitions.map { "\($0.kind) \($0.time)" })")
        #expect(transitions.filter { $0.kind == .opened }.count == 1)
    }

    // MARK: reopening

    @Test func aClosedStormReopensForItsClientButNotForAnotherOne() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, from: t0, seconds: 40 * 60, perSecond: 5, conflictEvery: 50)
        // 127.0.0.66 storms twice two minutes apart (one incident, reopened); then, within the
        // reopen window, 127.0.0.77 storms another order: a new incident, a new alert.
        Self.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 20 * Self.minute, seconds: 60, perSecond: 3)
        Self.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 23 * Self.minute, seconds: 60, perSecond: 3)
        Self.storm(&d, client: "127.0.0.77", path: "/api/orders/21", from: t0 + 26 * Self.minute, seconds: 60, perSecond: 3)
        let bursts = d.bursts()
        #expect(bursts.count == 2, "\(bursts.map { "\($0.start) \($0.client ?? "-") \($0.class)" })")
        #expect(bursts.first?.client == "127.0.0.66")
        #expect(bursts.last?.client == "127.0.0.77")
    }

    // MARK: hysteresis

    @Test func anIncidentNearTheThresholdIsOneAlert() {
        // A storm whose per-bucket count is strong one bucket in four (8 conflicts) and weak in
        // between (4, below min_conflicts): the weak runs continue the alert (hysteresis)
        // instead of closing it after close_after buckets and opening another.
        let bursts = Self.pulsingStormBursts(routeConflictEvery: 100)
        #expect(bursts.count == 1, "\(bursts.map { "\($0.start)–\($0.end ?? "open")" })")
    }

    @Test func weakBucketsBelowMinConflictsContinueAnOpenAlert() {
        // The same storm on a route that has no conflicts of its own, so the weak buckets hold
        // exactly 4 conflicts: below min_conflicts (5), which only the lower bar for an open
        // alert (min_conflicts / 2, continue_alpha) lets through.
        let bursts = Self.pulsingStormBursts(routeConflictEvery: 0)
        #expect(bursts.count == 1, "\(bursts.map { "\($0.start)–\($0.end ?? "open")" })")
    }

    /// 40 minutes of 5 writes a second on the route (one in `routeConflictEvery` a 409, 0 for
    /// none) and, from minute 20, a storm by 127.0.0.66 pulsing 8 conflicts one bucket in four
    /// and 4 in between; reopening is off, so only hysteresis can keep it one alert.
    static func pulsingStormBursts(routeConflictEvery: Int) -> [Alert] {
        var p = ModelParameters()
        p.reopenWindowSeconds = 0
        var d = TrafficDriver(p)
        let t0 = TrafficDriver.start
        steady(&d, from: t0, seconds: 40 * 60, perSecond: 5, conflictEvery: routeConflictEvery)
        for b in 0..<24 {
            let n = b % 4 == 0 ? 8 : 4
            for k in 0..<n {
                d.send(at: t0 + 20 * minute + Int64(b) * 10 * second + Int64(k) * second,
                       client: "127.0.0.66", method: "PUT", path: "/api/orders/13", status: 409)
            }
        }
        return d.bursts()
    }

    // MARK: Bonferroni over active routes

    @Test func theThresholdIsSharedByTheActiveRoutes() {
        // One bucket with 8 conflicts where ~1.2 are expected: P ≈ 3e-5, below alpha (1e-4) alone,
        // above alpha / 40 when 40 routes were active in that bucket.
        func run(otherRoutes: Int) -> Int {
            var p = ModelParameters()
            p.overdispersionThreshold = 1e9
            var d = TrafficDriver(p)
            let t0 = TrafficDriver.start
            Self.steady(&d, from: t0, seconds: 30 * 60, perSecond: 5, conflictEvery: 50)
            for r in 0..<otherRoutes {
                Self.steady(&d, route: "/api/r\(r)/items", from: t0, seconds: 30 * 60, perSecond: 1, conflictEvery: 0)
            }
            for k in 0..<7 {
                d.send(at: t0 + 20 * Self.minute + Int64(k) * Self.second + 500_000, client: "10.9.0.\(k + 1)", method: "PUT",
                        path: "/api/orders/\(900 + k)", status: 409)
            }
            return d.bursts().count
        }
        #expect(run(otherRoutes: 0) == 1)
        #expect(run(otherRoutes: 40) == 0)
    }

    // MARK: diagnoses from the excess

    @Test func aClientOwningTheExcessIsNamedAmongManyNormalConflicts() throws {
        // A busy route where 20% of writes conflict anyway (many clients), plus one client
        // replaying a stale version 3 times a second: about a third of the route's conflicts
        // while it lasts, all of the excess.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, from: t0, seconds: 40 * 60, perSecond: 20, conflictEvery: 5, clients: 200, resources: 2000)
        Self.storm(&d, client: "203.0.113.9", path: "/api/orders/77", from: t0 + 20 * Self.minute, seconds: 120, perSecond: 3)
        let bursts = d.bursts()
        let storm = try #require(bursts.first, "not detected")
        #expect(storm.class.first == "single_client", "\(storm.class) \(storm.reason)")
        #expect(storm.client == "203.0.113.9")
        #expect(storm.reason.contains("203.0.113.9"))
    }

    @Test func racesLostInAStampedeAreNotEachParticipantsStorm() throws {
        // A busy ledger (300 writes/s over 6,000 accounts, 20% refused), then four new clients
        // taking turns on one cold account for two minutes, 2 turns a second: each reads it,
        // then writes back what it read; one write is accepted and the other three are refused
        // right after it. Each participant has 15 refusals of 20 writes a bucket where 4 are
        // expected — a storm by its own numbers (binomial P ≈ 2e-7) — but every refusal
        // followed its own fresh read and lost a race to another client's accepted write: a
        // crowd on one object: its route's burst, `single_resource`, not four storms. (The
        // route's own test alone does not fire: 660 refusals where 616 are expected a bucket.)
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        // 199 clients, so that every one of them has its share of the refusals.
        Self.steady(&d, route: "/v2/accounts", from: t0, seconds: 25 * 60, perSecond: 300, conflictEvery: 5, clients: 199,
                    resources: 6000, status: 412)
        let start = t0 + 15 * Self.minute
        for turn in 0..<240 {
            let t = start + Int64(turn) * 500_000
            for k in 0..<4 {
                let client = "198.51.100.\((turn + k) % 4 + 1)"
                d.send(at: t + Int64(k) * 10_000, client: client, method: "GET", path: "/v2/accounts/99999", status: 200)
                d.send(at: t + 100_000 + Int64(k) * 50_000, client: client, method: "PUT", path: "/v2/accounts/99999", status: k == 0 ? 200 : 412)
            }
        }
        let bursts = d.bursts()
        #expect(!bursts.contains { $0.class.first == "single_client" },
                "a participant called a storm: \(bursts.map { "\($0.class) \($0.client ?? "-")" })")
        // The crowd makes its route anomalous instead: one burst, on the one object.
        let crowd = bursts.filter { $0.class.first == "single_resource" && $0.resource == "/v2/accounts/99999" }
        #expect(crowd.count == 1 && bursts.count == 1, "\(bursts.map { "\($0.class) \($0.resource ?? "-")" })")
        let found = try #require(crowd.first.flatMap { parseRFC3339($0.start) })
        #expect(found - start <= 2 * 10 * Self.second, "found within two buckets")
        let hot = d.analyzer.alerts().filter { $0.kind == .hotspot && $0.resource == "/v2/accounts/99999" }
        #expect(!hot.isEmpty, "and the hot-spot test names the object too")
    }

    @Test func aModestClientStormShowsOverThreeBuckets() throws {
        // A route with 26% conflicts at 10 writes/s; one client replays a stale write once a
        // second: 10 refusals a bucket where 2.6 are expected is not enough in one bucket (one
        // client among 60), 30 over three is.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.randomConflicts(&d, seconds: 30 * 60, clientPrefix: "10.2.0.", method: "PUT", status: 412,
                             path: { "/v2/accounts/\($0 % 400)/ledger" }, ratio: { _ in 0.26 })
        Self.storm(&d, client: "127.0.0.66", path: "/v2/accounts/7/ledger", from: t0 + 20 * Self.minute, seconds: 60, perSecond: 1)
        let bursts = d.bursts()
        let storm = try #require(bursts.first { $0.client == "127.0.0.66" }, "\(bursts.map(\.reason))")
        let delay = try #require(parseRFC3339(storm.start)) - (t0 + 20 * Self.minute)
        #expect(delay <= 3 * 10 * Self.second)
        #expect(storm.class.first == "single_client")
    }

    @Test func aClientStormBegunLateInABucketIsFoundWithinTwoBuckets() throws {
        // The same route (26% conflicts); a client's first stale write is refused 9.6 s into a
        // bucket, then 8 a bucket: 8 of 8 in one bucket is not enough (P ≈ 3e-5 against
        // 1e-4 / 61 clients), and the lone first refusal left no history for a three-bucket look
        // at the second full bucket; 16 of 16 over the last two is (P ≈ 1e-9), found within two
        // buckets of the first refusal.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.randomConflicts(&d, seconds: 30 * 60, clientPrefix: "10.2.0.", method: "PUT", status: 412,
                             path: { "/v2/accounts/\($0 % 400)/ledger" }, ratio: { _ in 0.26 })
        let first = t0 + 20 * Self.minute + 9_600_000
        d.send(at: first, client: "127.0.0.66", method: "PUT", path: "/v2/accounts/7/ledger", status: 412)
        for i in 0..<48 {
            d.send(at: t0 + 20 * Self.minute + 10 * Self.second + Int64(i) * 1_250_000, client: "127.0.0.66", method: "PUT",
                   path: "/v2/accounts/7/ledger", status: 412)
        }
        let bursts = d.bursts()
        let storm = try #require(bursts.first { $0.client == "127.0.0.66" }, "\(bursts.map(\.reason))")
        let delay = try #require(parseRFC3339(storm.start)) - first
        #expect(delay <= 2 * 10 * Self.second, "found \(Double(delay) / 1e6) s after its first refusal")
    }

    @Test func aClientStormDoesNotTeachItsRouteThatItIsNormal() throws {
        // A busy route with exactly 25% conflicts; one client replays a stale write once a second
        // for 10 minutes: caught as that client's burst, too small for the route's own test. Its
        // conflicts above the client's expectation stay out of the route's baselines, so the
        // ratio the route is tested against is still the route's own when the storm ends.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        let stormStart = t0 + 20 * Self.minute
        Self.steady(&d, route: "/v2/accounts", from: t0, seconds: 30 * 60, perSecond: 10, conflictEvery: 4, clients: 60, resources: 400, status: 412)
        Self.storm(&d, client: "127.0.0.66", path: "/v2/accounts/7", from: stormStart, seconds: 600, perSecond: 1)
        d.flush()
        let route = try #require(d.analyzer.model.routes.first { $0.name.hasPrefix("/v2/accounts") })
        #expect(route.testRatio < 0.28, "tested against \(route.testRatio) after the storm (route's own ratio 0.25)")
        #expect(d.bursts().contains { $0.client == "127.0.0.66" })
    }

    @Test func aStormOnAHighRatioRouteIsFoundByItsClient() throws {
        // A route where 40% of writes conflict anyway; one client's every write is refused, once
        // a second. Its 10 refusals of 10 writes a bucket are not surprising as a count where 4
        // are expected (Poisson: P ≈ 0.008, 3 buckets 2e-5), but they are as a share of its own
        // writes (binomial: 1e-4, 3 buckets 1e-12): conflicts cannot outnumber writes.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.randomConflicts(&d, seconds: 30 * 60, clientPrefix: "10.3.0.", method: "PATCH", status: 409,
                             path: { "/api/counters/\($0 % 40)" }, ratio: { _ in 0.4 })
        Self.storm(&d, client: "127.0.0.66", path: "/api/counters/7", from: t0 + 20 * Self.minute, seconds: 90, perSecond: 1, status: 409, method: "PATCH")
        let bursts = d.bursts()
        let storm = try #require(bursts.first { $0.client == "127.0.0.66" }, "\(bursts.map(\.reason))")
        #expect(storm.class.first == "single_client")
    }

    @Test func aDeployTurningEveryWriteIntoAConflictIsRatioDriven() throws {
        // Carts: 1% conflicts; a deploy makes 96% of writes 409, and clients retry, doubling writes.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, route: "/api/carts", from: t0, seconds: 20 * 60, perSecond: 4, conflictEvery: 100)
        var i = 0
        for s in 0..<120 {
            for k in 0..<8 {
                d.send(at: t0 + 20 * Self.minute + Int64(s) * Self.second + Int64(k) * 125_000, client: "10.0.0.\(i % 40 + 1)",
                       method: "PUT", path: "/api/carts/\(i % 300)", status: i % 25 == 0 ? 200 : 409)
                i += 1
            }
        }
        let bursts = d.bursts()
        let deploy = try #require(bursts.first)
        #expect(deploy.class.contains("ratio_driven"), "\(deploy.class)")
        #expect(!deploy.class.contains("load_driven"))
        #expect(deploy.client == nil)
    }

    @Test func aRatioJumpWithTripledWritesIsStillRatioDriven() throws {
        // As above, but the retries triple the writes (past load_factor): the ratio rose far more
        // than the writes did (1% to 96%), so the route's own change is the story, not load.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, route: "/api/carts", from: t0, seconds: 20 * 60, perSecond: 4, conflictEvery: 100)
        var i = 0
        for s in 0..<120 {
            for k in 0..<12 {
                d.send(at: t0 + 20 * Self.minute + Int64(s) * Self.second + Int64(k) * 83_000, client: "10.0.0.\(i % 40 + 1)",
                       method: "PUT", path: "/api/carts/\(i % 300)", status: i % 25 == 0 ? 200 : 409)
                i += 1
            }
        }
        let bursts = d.bursts()
        let deploy = try #require(bursts.first)
        #expect(deploy.class.contains("ratio_driven"), "\(deploy.class) \(deploy.reason)")
        #expect(!deploy.class.contains("load_driven"))
    }

    @Test func moreWritesAtTheSameRatioIsLoadDriven() throws {
        // 2% conflicts throughout; writes quadruple for two minutes (a busy hour, a batch job):
        // more conflicts, the ratio rising no more than the writes did.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.steady(&d, from: t0, seconds: 30 * 60, perSecond: 5, conflictEvery: 25)
        Self.steady(&d, from: t0 + 20 * Self.minute, seconds: 120, perSecond: 15, conflictEvery: 6, clients: 300)
        let bursts = d.bursts()
        let surge = try #require(bursts.first, "not detected")
        #expect(surge.class.contains("load_driven"), "\(surge.class) \(surge.reason)")
    }

    @Test func uniqueConstraintRefusalsOnACollectionAreCreatesNotAStampede() throws {
        // POST /api/bookings: a rush of 12 clients for 3 slots; every refusal lands on the
        // collection's one path, which must not read as "a stampede on one object".
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        var i = 0
        for s in 0..<(30 * 60) {
            d.send(at: t0 + Int64(s) * Self.second, client: "10.0.1.\(i % 50 + 1)", method: "POST", path: "/api/bookings",
                   status: i % 30 == 0 ? 409 : 201)
            i += 1
        }
        for s in 0..<20 {
            for c in 0..<12 {
                d.send(at: t0 + 20 * Self.minute + Int64(s) * Self.second + Int64(c) * 50_000, client: "10.7.0.\(c + 1)",
                       method: "POST", path: "/api/bookings", status: c < 1 && s == 0 ? 201 : 409)
            }
        }
        let bursts = d.bursts()
        let rush = try #require(bursts.first)
        #expect(rush.class.contains("duplicate_create"), "\(rush.class)")
        #expect(!rush.class.contains("single_resource"))
        #expect(rush.class.first == "route_wide")
        #expect(!rush.reason.contains("stampede"))
    }

    // MARK: severity bands

    @Test(arguments: [
        (9, 50.0, Alert.Severity.low), (10, 6.0, .medium), (10, 5.9, .low), (29, 50.0, .medium),
        (30, 10.0, .high), (30, 9.9, .medium), (99, 300.0, .high), (100, 20.0, .critical), (100, 19.9, .high),
    ])
    func severityBands(peak: Int, score: Double, expected: Alert.Severity) {
        #expect(AlertBuilder.severity(peak: peak, score: score) == expected)
    }

    // MARK: stable ids

    @Test func idsDoNotDependOnWhichRoutesWereSeenFirst() throws {
        func stormID(otherRoutesFirst: Int) throws -> String {
            var d = TrafficDriver()
            let t0 = TrafficDriver.start
            for r in 0..<otherRoutesFirst {
                d.send(at: t0, client: "10.0.0.1", method: "GET", path: "/api/x\(r)/1", status: 200)
                d.send(at: t0, client: "10.0.0.1", method: "PUT", path: "/api/x\(r)/1", status: 200)
            }
            Self.steady(&d, from: t0 + Self.second, seconds: 30 * 60, perSecond: 5, conflictEvery: 50)
            Self.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 20 * Self.minute, seconds: 60, perSecond: 5)
            return try #require(d.bursts().first).id
        }
        #expect(try stormID(otherRoutesFirst: 0) == stormID(otherRoutesFirst: 3))
    }
}
