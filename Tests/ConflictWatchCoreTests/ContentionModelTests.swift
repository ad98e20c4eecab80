import Testing
@testable import ConflictWatchCore

/// Drives the model with synthetic traffic built in the test (deterministic RNG), through the
/// real parser and analyzer, and checks the behaviour SPEC §5 promises.
struct TrafficDriver {
    var analyzer: TrafficAnalyzer
    var parser = LogParser(format: .combined)
    var rng: UInt64 = 0x1234_5678
    static let start: Int64 = 1_764_000_000_000_000  // 2025-11-24T16:00:00Z

    init(_ parameters: ModelParameters = ModelParameters()) { analyzer = TrafficAnalyzer(parameters: parameters) }

    mutating func random() -> Double {
        rng &+= 0x9E37_79B9_7F4A_7C15
        var z = rng
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    /// Requests are queued and replayed in time order by `flush()`, so traffic built in
    /// several passes interleaves as it would in a real log.
    var pending: [(time: Int64, seq: Int, client: String, method: String, path: String, status: Int)] = []

    mutating func send(at micros: Int64, client: String, method: String, path: String, status: Int) {
        pending.append((micros, pending.count, client, method, path, status))
    }

    mutating func flush() {
        pending.sort { ($0.time, $0.seq) < ($1.time, $1.seq) }
        for r in pending { replay(at: r.time, client: r.client, method: r.method, path: r.path, status: r.status) }
        pending.removeAll()
    }

    mutating func finish() {
        flush()
        analyzer.finish()
    }

    mutating func replay(at micros: Int64, client: String, method: String, path: String, status: Int) {
        let line = "\(client) - - [\(clfTime(micros))] \"\(method) \(path) HTTP/1.1\" \(status) 10"
        let bytes = Array(line.utf8)
        var x = ExchangeView()
        bytes.withUnsafeBytes { buf in
            guard parser.parse(buf, into: &x) == .exchange else { return }
            // CLF has whole seconds; keep the sub-second time the test asked for.
            x.time = micros
            analyzer.record(x)
        }
    }

    /// `seconds` of background traffic: `writesPerSecond` PUTs over `resources` orders from 50
    /// clients, each a conflict with probability `ratio`.
    mutating func background(from t0: Int64, seconds: Int, writesPerSecond: Double, ratio: Double,
                             route: String = "/api/orders", resources: Int = 200) {
        let step = Int64(1_000_000 / writesPerSecond)
        var t = t0
        let end = t0 + Int64(seconds) * 1_000_000
        while t < end {
            let client = "10.0.0.\(Int(random() * 50) + 1)"
            let id = Int(random() * Double(resources))
            let status = random() < ratio ? 409 : 200
            send(at: t, client: client, method: "PUT", path: "\(route)/\(id)", status: status)
            t += step
        }
    }

    mutating func bursts() -> [Alert] {
        finish()
        return analyzer.alerts().filter { $0.kind == .burst }
    }
}

@Suite struct ContentionModelTests {
    static let minute: Int64 = 60_000_000

    @Test func steadyHighConflictRateNeverAlerts() {
        var d = TrafficDriver()
        // Two hours at 5 writes/s with 30% conflicts, and a quiet second route.
        d.background(from: TrafficDriver.start, seconds: 7200, writesPerSecond: 5, ratio: 0.3)
        d.background(from: TrafficDriver.start, seconds: 7200, writesPerSecond: 1, ratio: 0.01, route: "/api/carts")
        let bursts = d.bursts()
        #expect(bursts.count <= 1, "steady traffic raised \(bursts.map(\.reason))")
    }

    @Test func retryStormIsDetectedWithinTwoBucketsAndNamesTheClient() throws {
        var d = TrafficDriver()
        let stormStart = TrafficDriver.start + 20 * Self.minute
        d.background(from: TrafficDriver.start, seconds: 40 * 60, writesPerSecond: 4, ratio: 0.02)
        // 127.0.0.66 replays a stale version of order 13, 5 times a second, for 2 minutes.
        var t = stormStart
        while t < stormStart + 2 * Self.minute {
            d.send(at: t, client: "127.0.0.66", method: "PUT", path: "/api/orders/13", status: 409)
            t += 200_000
        }
        let bursts = d.bursts()
        let storm = try #require(bursts.first { $0.client == "127.0.0.66" }, "alerts: \(bursts.map(\.reason))")
        #expect(storm.class.contains("single_client"))
        #expect(storm.route == "/api/orders/{id}")
        let delay = try #require(parseRFC3339(storm.start)) - stormStart
        #expect(delay <= 2 * 10_000_000, "detected \(Double(delay) / 1e6) s after the storm began")
        #expect(storm.end != nil)
        #expect(storm.peakCount >= 40)
        #expect(storm.topClients.first?.client == "127.0.0.66")
        #expect(!storm.samples.isEmpty && storm.samples.count <= 5)
        #expect(!storm.reason.isEmpty)
        #expect(bursts.filter { $0.client != "127.0.0.66" }.count <= 1)
    }

    @Test func aBurstCannotTeachItselfAwayButALastingChangeIsLearned() throws {
        var d = TrafficDriver()
        let change = TrafficDriver.start + 30 * Self.minute
        d.background(from: TrafficDriver.start, seconds: 30 * 60, writesPerSecond: 4, ratio: 0.02)
        // A deploy makes 40% of writes conflict from then on, for 6 hours.
        d.background(from: change, seconds: 6 * 3600, writesPerSecond: 4, ratio: 0.4)
        let bursts = d.bursts()
        let regression = try #require(bursts.first, "no alert for the regression")
        let opened = try #require(parseRFC3339(regression.start))
        #expect(opened - change <= 20_000_000)
        #expect(regression.class.contains("route_wide"))
        #expect(regression.class.contains("ratio_driven"))
        // It stayed open well past the first buckets (the clipped update did not absorb it) …
        let closed = try #require(regression.end.flatMap(parseRFC3339), "the baseline never learned the new ratio")
        #expect(closed - opened >= 10 * Self.minute)
        // … and the lasting change was learned: it closed, and nothing else fired afterwards.
        #expect(closed - opened <= 5 * 60 * Self.minute)
        #expect(bursts.count <= 2)
    }

    @Test func hotResourceSurvivesMillionsOfColdOnes() throws {
        var p = ModelParameters()
        p.maxResources = 1000
        var d = TrafficDriver(p)
        var t = TrafficDriver.start
        for i in 0..<60_000 {
            // One cold write to a fresh order, and every 10th write goes to the hot one.
            d.send(at: t, client: "10.0.\(i % 200 / 100).\(i % 100 + 1)", method: "PUT", path: "/api/orders/\(1_000_000 + i)", status: 200)
            if i % 10 == 0 {
                d.send(at: t + 1, client: "10.1.0.\(i / 10 % 30 + 1)", method: "PUT", path: "/api/orders/7", status: i % 50 == 0 ? 409 : 200)
            }
            t += 50_000
        }
        d.finish()
        #expect(d.analyzer.model.trackedResources <= d.analyzer.model.resources.capacity)
        #expect(d.analyzer.model.resourceEvictions > 50_000)
        let top = try #require(d.analyzer.hotspots(top: 3).first)
        #expect(top.resource == "/api/orders/7")
        #expect(top.writers >= 8)
    }

    @Test func routesThatNeverCheckVersionsDoNotDrownTheRanking() throws {
        var d = TrafficDriver()
        var t = TrafficDriver.start
        for i in 0..<30_000 {
            // /api/notes/1: hot, many writers, last write wins (never a conflict).
            d.send(at: t, client: "10.2.0.\(i % 40 + 1)", method: "PUT", path: "/api/notes/1", status: 200)
            // /api/orders/5: a third of that load, and it really conflicts.
            if i % 3 == 0 {
                d.send(at: t + 5, client: "10.3.0.\(i % 20 + 1)", method: "PUT", path: "/api/orders/5", status: i % 9 == 0 ? 409 : 200)
            }
            t += 100_000
        }
        d.finish()
        let rows = d.analyzer.hotspots(top: 5)
        #expect(rows.first?.resource == "/api/orders/5", "ranking: \(rows.map { ($0.resource, $0.probability) })")
        let notes = rows.first { $0.resource == "/api/notes/1" }
        #expect((notes?.probability ?? 0) < 0.2)
    }

    @Test func trainedBaselinesSkipTheWarmUp() throws {
        // Learn a route on an hour of traffic …
        var train = TrafficDriver()
        train.background(from: TrafficDriver.start, seconds: 3600, writesPerSecond: 4, ratio: 0.02)
        train.finish()
        var p = ModelParameters()
        p.baselines = train.analyzer.learnedBaselines()
        let b = try #require(p.baselines["/api/orders/{id}"])
        #expect(abs(b.conflicts / b.writes - 0.02) < 0.01)
        // … then a storm 20 s into a fresh run is caught at once with the trained model, but
        // not by a cold model that is still warming up.
        for (params, shouldAlert) in [(p, true), (ModelParameters(), false)] {
            var d = TrafficDriver(params)
            let later = TrafficDriver.start + 24 * 3600 * 1_000_000
            d.background(from: later, seconds: 120, writesPerSecond: 4, ratio: 0.02)
            var t = later + 20_000_000
            while t < later + 50_000_000 {
                d.send(at: t, client: "127.0.0.66", method: "PUT", path: "/api/orders/13", status: 409)
                t += 200_000
            }
            let bursts = d.bursts()
            #expect(bursts.contains { $0.client == "127.0.0.66" } == shouldAlert, "trained: \(shouldAlert), alerts: \(bursts.map(\.reason))")
        }
    }

    @Test func replayGivesTheSameAlerts() {
        func run() -> [Alert] {
            var d = TrafficDriver()
            d.background(from: TrafficDriver.start, seconds: 1800, writesPerSecond: 4, ratio: 0.02)
            d.background(from: TrafficDriver.start + 20 * Self.minute, seconds: 60, writesPerSecond: 10, ratio: 0.9)
            return d.bursts()
        }
        let a = run(), b = run()
        #expect(a == b)
        #expect(!a.isEmpty)
    }
}

/// RFC 3339 (as the model writes it) back to epoch microseconds.
func parseRFC3339(_ s: String) -> Int64? {
    Array(s.utf8).withUnsafeBytes { TimestampParser.parseISO8601($0) }
}
