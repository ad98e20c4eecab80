import ConflictWatchCore
import Testing
@testable import ConflictWatchLab

/// The simulator's invariants: same seed, same bytes; versions only grow; a write is refused
/// only when it is stale (or for the injected reasons); every format parses back.
@Suite struct SimulationTests {
    static func run(_ scenario: Scenario, seed: UInt64 = 3, seconds: Double, rate: Double = 20,
                    format: SimulatedLogFormat = .combined) -> (requests: [SimulatedRequest], truth: GroundTruth) {
        var requests: [SimulatedRequest] = []
        let truth = TrafficSimulator(settings: SimulationSettings(
            scenario: scenario, seed: seed, durationSeconds: seconds, rate: rate, logFormat: format)).run { requests.append($0) }
        return (requests, truth)
    }

    static func lines(_ requests: [SimulatedRequest], _ format: SimulatedLogFormat = .combined) -> [String] {
        let f = AccessLogFormatter(format: format)
        return requests.map(f.line)
    }

    @Test func sameSeedSameBytesOtherSeedOtherTraffic() {
        let a = Self.run(.mixed, seed: 11, seconds: 1200)
        let b = Self.run(.mixed, seed: 11, seconds: 1200)
        let c = Self.run(.mixed, seed: 12, seconds: 1200)
        #expect(a.requests.count > 10_000)
        #expect(Self.lines(a.requests) == Self.lines(b.requests))
        #expect(a.truth == b.truth)
        #expect(Self.lines(a.requests) != Self.lines(c.requests))
        #expect(a.truth.events.map(\.start) != c.truth.events.map(\.start))
    }

    @Test func requestsAreInTimeOrderInsideTheLog() throws {
        let (requests, truth) = Self.run(.flashSale, seconds: 900)
        let start = try #require(EvaluationTime.micros(truth.start)), end = try #require(EvaluationTime.micros(truth.end))
        #expect(requests.first.map { $0.time >= start } == true)
        #expect(requests.last.map { $0.time < end } == true)
        #expect(zip(requests, requests.dropFirst()).allSatisfy { $0.time <= $1.time })
    }

    /// Per resource, the versions writes meet only grow, by exactly one per accepted write of a
    /// version-checked route; a write is accepted iff it carries the current version (or a
    /// regression refuses it); a stale write carried an older version.
    @Test(arguments: [Scenario.steady, .mixed, .deployRegression, .trendRegression, .stormAmongConflicts])
    func versionsAreMonotoneAndConflictsComeFromStaleWrites(_ scenario: Scenario) {
        let (requests, _) = Self.run(scenario, seconds: 1200)
        var next: [String: Int] = [:]
        var stale = 0, regressions = 0, locked = 0
        for r in requests where r.isWrite {
            guard let current = r.currentVersion, let route = r.route else { continue }
            if let expected = next[r.path] { #expect(current == expected, "\(r.path): version \(current), expected \(expected)") }
            switch r.outcome {
            case .ok:
                if route.check != .none { #expect(r.sentVersion == current, "accepted \(r.path) with version \(String(describing: r.sentVersion)) ≠ \(current)") }
                #expect(!r.isConflict)
                next[r.path] = current + 1
            case .stale:
                stale += 1
                #expect(route.check != .none, "a stale write on \(route.template), which never checks versions")
                #expect((r.sentVersion ?? .max) < current, "refused \(r.path) as stale with version \(String(describing: r.sentVersion)) ≥ \(current)")
                #expect(r.status == route.staleStatus)
                next[r.path] = current
            case .regression:
                regressions += 1
                #expect(r.status == 409)
                next[r.path] = current
            case .locked:
                // Refused whatever its version: the owner sends the current one.
                locked += 1
                #expect(route == .documents && r.status == 409 && r.sentVersion == current)
                next[r.path] = current
            case .duplicateKey, .slotTaken:
                Issue.record("a versioned write refused as a duplicate create: \(r.path)")
            }
        }
        #expect(stale > 100)
        #expect(locked > 20)
        #expect((regressions > 0) == [.mixed, .deployRegression, .trendRegression].contains(scenario))
    }

    @Test func conflictsHaveACauseAndNotesNeverConflict() {
        let (requests, _) = Self.run(.mixed, seconds: 1200)
        for r in requests {
            #expect(r.isConflict == (r.outcome != .ok), "\(r.method) \(r.path) \(r.status) \(r.outcome)")
            if r.outcome == .duplicateKey { #expect(r.method == "POST" && r.path == "/api/orders" && r.status == 409) }
            if r.outcome == .slotTaken { #expect(r.method == "POST" && r.path == "/api/bookings" && r.status == 409) }
        }
        let notes = requests.filter { $0.route == .notes && $0.isWrite }
        #expect(notes.count > 500)
        #expect(notes.allSatisfy { !$0.isConflict })
        // The hottest note is written at least as often as the hottest order: hot, never in conflict.
        func hottest(_ route: SimulatedRoute) -> Int {
            Dictionary(grouping: requests.filter { $0.route == route && $0.isWrite }, by: \.path).values.map(\.count).max() ?? 0
        }
        #expect(hottest(.notes) > hottest(.orders))
    }

    @Test func countersConflictSteadilyAndHeavily() {
        let (requests, _) = Self.run(.steady, seconds: 1800)
        let writes = requests.filter { $0.route == .counters && $0.isWrite }
        let ratio = Double(writes.filter(\.isConflict).count) / Double(writes.count)
        // Several times the orders' ratio (about 7% here, with the document sessions in the mix).
        #expect(ratio > 0.06, "counter conflict ratio \(ratio)")
        // Steady: every 5-minute window has counter conflicts.
        let start = requests[0].time
        var perWindow = [Int](repeating: 0, count: 6)
        for w in writes where w.isConflict { perWindow[min(5, Int((w.time - start) / 300_000_000))] += 1 }
        #expect(perWindow.allSatisfy { $0 > 10 }, "\(perWindow)")
    }

    @Test(arguments: SimulatedLogFormat.allCases)
    func logParsesBackWithNothingMalformed(_ format: SimulatedLogFormat) {
        let (requests, _) = Self.run(.mixed, seconds: 1200, format: format)
        let lines = Self.lines(requests, format)
        var parser = LogParser(format: format.logFormat)
        var malformed = 0, mismatched = 0
        for (r, line) in zip(requests, lines) {
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { buf in
                var x = ExchangeView()
                guard parser.parse(UnsafeRawBufferPointer(buf), into: &x) == .exchange else { malformed += 1; return }
                // CLF has whole seconds, JSON $msec milliseconds.
                let resolution: Int64 = format == .json ? 1000 : 1_000_000
                let same = x.client.lossyString == r.client && x.method.lossyString == r.method && x.path.lossyString == r.path
                    && Int(x.status) == r.status && x.time == r.time / resolution * resolution
                if !same { mismatched += 1 }
            }
        }
        #expect(malformed == 0)
        #expect(mismatched == 0)
    }

    @Test func truthRecordsEachScenariosEvents() throws {
        let storm = ("burst", ["single_client"]), duplicate = ("burst", ["single_client", "duplicate_create"])
        let regression = ("burst", ["route_wide", "ratio_driven"]), sale = ("hotspot", ["single_resource"])
        let rush = ("burst", ["route_wide", "duplicate_create"])
        let expected: [Scenario: [(kind: String, classes: [String])]] = [
            .steady: [],
            .retryStorm: [storm],
            .duplicateCreate: [duplicate],
            .deployRegression: [regression],
            .flashSale: [sale],
            .mixed: [storm, sale, regression, duplicate],
            .trendRush: [rush],
            .trendRegression: [regression],
            .stormAmongConflicts: [storm],
            .realistic: [storm, duplicate, sale, storm, regression, regression, rush],
        ]
        for scenario in Scenario.allCases {
            let (requests, truth) = Self.run(scenario, seconds: Double(max(1200, scenario.minimumDurationSeconds)))
            let events = try truth.events.map { try TimedEvent($0) }
            #expect(events.map { $0.event.kind } == expected[scenario]!.map(\.kind), "\(scenario)")
            #expect(events.map { $0.event.requiredClasses } == expected[scenario]!.map(\.classes), "\(scenario)")
            // The primary class comes first in `classes`, for readers of `class` alone.
            #expect(events.allSatisfy { $0.event.requiredClasses.first == $0.event.class }, "\(scenario)")
            #expect(truth.quietRoutes == ["/api/documents/{id}", "/api/notes/{id}"])
            #expect((truth.restartAt != nil) == (scenario == .realistic), "\(scenario)")
            let logStart = try #require(EvaluationTime.micros(truth.start))
            for e in events {
                #expect(e.start >= logStart + 200_000_000, "\(e.event.id) starts before some warm-up")
                let during = requests.filter { $0.time >= e.start && $0.time <= e.end && $0.isConflict }
                if let resource = e.event.resource {
                    #expect(during.contains { $0.path == resource }, "\(e.event.id): no conflict on \(resource)")
                }
                if let client = e.event.client {
                    #expect(during.contains { $0.client == client }, "\(e.event.id): no conflict from \(client)")
                }
                if e.isHotspot {
                    let peak = try #require(e.peak, "\(e.event.id) has no peak")
                    #expect(peak > e.start && peak <= e.end)
                    // The onset is the first conflict on the resource in the event: none before it.
                    let onset = try #require(e.onset, "\(e.event.id) has no onset")
                    let first = during.filter { $0.path == e.event.resource }.map(\.time).min()
                    #expect(first == onset, "\(e.event.id): onset \(onset), first conflict \(String(describing: first))")
                    #expect(onset < peak + 10_000_000)
                }
            }
        }
    }

    @Test(arguments: Scenario.allCases)
    func defaultDurationsLeaveTenMinutesOfWarmUp(_ scenario: Scenario) {
        for seed in UInt64(1)...20 {
            var rng = SimulationRandom(seed: seed)
            let plan = scenario.plan(duration: Double(scenario.defaultDurationSeconds), rng: &rng).events
            #expect(plan.allSatisfy { $0.start >= 600 }, "\(scenario) seed \(seed): \(plan.map(\.start))")
        }
        #expect(Scenario.steady.defaultDurationSeconds >= 3600)
    }

    @Test func zipfSharesFallWithRank() {
        let z = ZipfSampler(count: 100, exponent: 1)
        // H_100 = 5.187377517639621 (Σ 1/k); share of rank k = 1/(k·H).
        #expect(abs(z.probability(ofRank: 0) - 1 / 5.187377517639621) < 1e-12)
        #expect(abs(z.probability(ofRank: 9) - 0.1 / 5.187377517639621) < 1e-12)
        var rng = SimulationRandom(seed: 5)
        var counts = [Int](repeating: 0, count: 100)
        for _ in 0..<100_000 { counts[z.sample(&rng)] += 1 }
        #expect(abs(Double(counts[0]) / 100_000 - 0.19277) < 0.005)
        #expect(counts[0] > counts[9] && counts[9] > counts[99])
    }
}
