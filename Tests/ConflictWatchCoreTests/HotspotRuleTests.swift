import Testing
@testable import ConflictWatchCore

/// One test per hot-spot rule of SPEC §5.3, each failing when its rule is removed or inverted.
@Suite struct HotspotRuleTests {
    static let second: Int64 = 1_000_000
    static let minute: Int64 = 60_000_000

    /// A client editing one resource: a read, then `window` µs later a conditional write that
    /// conflicts when `conflict`.
    static func edit(_ d: inout TrafficDriver, at t: Int64, client: String, path: String, window: Int64 = 400_000, conflict: Bool = false) {
        d.send(at: t, client: client, method: "GET", path: path, status: 200)
        d.send(at: t + window, client: client, method: "PUT", path: path, status: conflict ? 412 : 200)
    }

    /// Popular orders with natural contention for `seconds`: order k is edited every 2+k seconds
    /// by a rotating set of 6 clients; roughly every 15th edit of the busiest loses a race.
    static func popularOrders(_ d: inout TrafficDriver, from t0: Int64, seconds: Int, orders: Int = 5) {
        for k in 0..<orders {
            let gap = Int64(2 + k) * second
            var t = t0 + Int64(k) * 137_000
            var i = 0
            while t < t0 + Int64(seconds) * second {
                edit(&d, at: t, client: "10.4.\(k).\(i % 6 + 1)", path: "/api/orders/\(100 + k)", conflict: i % (15 + 5 * k) == 7)
                t += gap
                i += 1
            }
        }
    }

    /// Several new clients start writing one object together (a stampede building up).
    static func stampede(_ d: inout TrafficDriver, path: String, from t0: Int64, seconds: Int, clients: Int = 6, every: Int64 = 1_500_000) {
        for c in 0..<clients {
            var t = t0 + Int64(c) * every / Int64(clients)
            var i = 0
            while t < t0 + Int64(seconds) * second {
                edit(&d, at: t, client: "100.64.0.\(c + 1)", path: path, window: 800_000, conflict: i % 3 == 2)
                t += every
                i += 1
            }
        }
    }

    @Test func longBusyResourcesAreRankedButRaiseNoAlert() throws {
        var d = TrafficDriver()
        Self.popularOrders(&d, from: TrafficDriver.start, seconds: 40 * 60)
        d.finish()
        let hotspots = d.analyzer.alerts().filter { $0.kind == .hotspot }
        #expect(hotspots.isEmpty, "steady contention alerted: \(hotspots.map(\.reason))")
        let top = try #require(d.analyzer.hotspots(top: 5).first)
        #expect(top.resource == "/api/orders/100")
        #expect(top.expectedConflicts > 0)
    }

    @Test func anEmergingHotSpotLeadsTheRankingWithinFifteenSecondsAndAlertsOnce() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        let sale = t0 + 30 * Self.minute
        Self.popularOrders(&d, from: t0, seconds: 35 * 60)
        Self.stampede(&d, path: "/api/orders/4242", from: sale, seconds: 120)
        d.flush()
        // Replay up to 15 s after the first concurrent writes and look at the ranking then.
        let scores = d.analyzer.model.resourceScores(at: sale + 15 * Self.second)
        #expect(scores.first?.resource == "/api/orders/4242", "ranking: \(scores.prefix(5).map { ($0.resource, $0.score) })")
        d.finish()
        let hotspots = d.analyzer.alerts().filter { $0.kind == .hotspot }
        #expect(hotspots.count == 1, "\(hotspots.map(\.reason))")
        let alert = try #require(hotspots.first)
        #expect(alert.topResources.first?.resource == "/api/orders/4242")
        let since = try #require(alert.topResources.first?.since.flatMap(parseRFC3339))
        #expect(since >= sale && since <= sale + 30 * Self.second)
    }

    /// Writers join one object a few seconds apart (a sale opening), each editing every 3 s.
    static func gatheringBuyers(_ d: inout TrafficDriver, path: String, from t0: Int64, seconds: Int, buyers: Int = 12, joinEvery: Int64 = 8_000_000) {
        for c in 0..<buyers {
            var t = t0 + Int64(c) * joinEvery
            var i = 0
            while t < t0 + Int64(seconds) * second {
                edit(&d, at: t, client: "100.65.0.\(c + 1)", path: path, window: 800_000, conflict: i % 4 == 3)
                t += 3 * second
                i += 1
            }
        }
    }

    /// Buyers gather on a product (one more every 8 s, each editing every 3 s) beside a counter
    /// contended all along (12 clients every 3 s, every third edit refused). 20 s in (12 s after
    /// its first concurrent writes) the product's expected conflicts at its current rate, even
    /// with the largest rising boost, are below the counter's; carried on at the rate its writes
    /// are rising (`forecastRate`), they lead. Without the forecast it leads only after ~40 s.
    @Test func anAcceleratingHotSpotIsRankedByWhereItsWritesAreGoing() throws {
        let t0 = TrafficDriver.start
        let sale = t0 + 30 * Self.minute
        let asOf = sale + 20 * Self.second
        var d = TrafficDriver()
        for c in 0..<12 {
            var t = t0 + Int64(c) * 250_000
            var i = 0
            while t < asOf {
                Self.edit(&d, at: t, client: "10.9.0.\(c + 1)", path: "/api/counters/1", window: 600_000, conflict: i % 3 == 2)
                t += 3 * Self.second
                i += 1
            }
        }
        Self.gatheringBuyers(&d, path: "/api/products/7/stock", from: sale, seconds: 180)
        // The traffic as it stood then, not the rest of the sale.
        d.pending.removeAll { $0.time > asOf }
        d.flush()
        let m = d.analyzer.model
        let scores = m.resourceScores(at: asOf)
        #expect(scores.first?.resource == "/api/products/7/stock", "ranking: \(scores.prefix(3).map { ($0.resource, $0.expectedConflicts, $0.score) })")
        let s = try #require(m.resources.occupied.first { m.resources.label($0) == "/api/products/7/stock" })
        let atCurrentRate = m.expectedConflicts(slot: s, route: Int(m.resources.slots[s].route), at: asOf,
                                                writers: m.resources.recentWriters(s, at: asOf, window: m.writerWindowMicros))
        let counter = try #require(scores.first { $0.resource == "/api/counters/1" })
        #expect(atCurrentRate * ContentionModel.maxRisingBoost.squareRoot() < counter.score, "the scenario needs the forecast")
    }

    @Test func hotSpotsOfOneRouteAreOneAlert() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        let sale = t0 + 20 * Self.minute
        Self.popularOrders(&d, from: t0, seconds: 25 * 60)
        for (k, product) in [7001, 7002, 7003].enumerated() {
            Self.stampede(&d, path: "/api/orders/\(product)", from: sale + Int64(k) * 20 * Self.second, seconds: 120)
        }
        d.finish()
        let hotspots = d.analyzer.alerts().filter { $0.kind == .hotspot }
        #expect(hotspots.count == 1, "\(hotspots.map(\.reason))")
        let members = Set(try #require(hotspots.first).topResources.map(\.resource))
        #expect(members.isSuperset(of: ["/api/orders/7001", "/api/orders/7002", "/api/orders/7003"]), "\(members)")
        // Newest first.
        #expect(hotspots.first?.topResources.first?.resource == "/api/orders/7003")
    }

    @Test func aHotSpotAlertClosesOnceTheStampedeIsOver() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        Self.popularOrders(&d, from: t0, seconds: 40 * 60)
        Self.stampede(&d, path: "/api/orders/4242", from: t0 + 20 * Self.minute, seconds: 90)
        d.finish()
        let alert = try #require(d.analyzer.alerts().first { $0.kind == .hotspot })
        let end = try #require(alert.end.flatMap(parseRFC3339), "still open at the end of the log")
        #expect(end <= t0 + 30 * Self.minute)
    }

    @Test func nonRaceConflictsDoNotMakeTheRoutesOtherResourcesHot() {
        // /api/documents: locked documents refuse every write of their one owner (about 5% of the
        // route's writes, a 409 each), while the route's other documents are written by two or
        // three clients a few times a minute and never conflict.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        var t = t0
        var i = 0
        while t < t0 + 40 * Self.minute {
            let locked = i % 20 == 0
            let doc = locked ? 9000 + i / 20 % 10 : i % 40
            let client = locked ? "10.6.0.\(doc - 8999)" : "10.5.0.\(i % 3 + 1 + doc % 2)"
            Self.edit(&d, at: t, client: client, path: "/api/documents/\(doc)", window: 600_000)
            if locked { d.pending[d.pending.count - 1].status = 409 }
            t += 400_000
            i += 1
        }
        d.finish()
        let alerts = d.analyzer.alerts()
        #expect(alerts.isEmpty, "\(alerts.map { "\($0.kind) \($0.resource ?? "-") \($0.reason)" })")
    }

    @Test func anUnmeasuredEditWindowIsSaidSo() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        // Writes without reads: nothing to measure a read→write gap from.
        for s in 0..<600 {
            for c in 0..<4 {
                d.send(at: t0 + Int64(s) * Self.second + Int64(c) * 200_000, client: "10.8.0.\(c + 1)", method: "PUT",
                       path: "/api/counters/1", status: s % 5 == 0 && c == 3 ? 409 : 200)
            }
        }
        d.finish()
        let row = try #require(d.analyzer.hotspots(top: 1).first)
        #expect(row.editWindowMs == nil)
        var m = TrafficDriver()
        Self.popularOrders(&m, from: t0, seconds: 600, orders: 1)
        m.finish()
        #expect(try #require(m.analyzer.hotspots(top: 1).first).editWindowMs != nil)
    }

    @Test func aClientRepeatingARefusedWriteDoesNotCalibrateItsResourceHot() throws {
        // Two clients edit /api/orders/5 every 30 s between them; a third re-sends a write that
        // was refused, once a second, for 10 minutes. Only its first refusal after another
        // client's accepted write is a race; the repeats say nothing about concurrent writers and
        // must not teach the resource's calibration that it conflicts all the time.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        for i in 0..<(20 * 2) {
            Self.edit(&d, at: t0 + Int64(i) * 30 * Self.second, client: "10.9.0.\(i % 2 + 1)", path: "/api/orders/5")
        }
        for s in 0..<600 {
            d.send(at: t0 + 5 * Self.minute + Int64(s) * Self.second + 700_000, client: "10.9.0.3", method: "PUT", path: "/api/orders/5", status: 412)
        }
        d.flush()
        let row = try #require(d.analyzer.model.resourceScores(at: t0 + 15 * Self.minute).first { $0.resource == "/api/orders/5" })
        #expect(row.probability < 0.5, "p = \(row.probability), expected conflicts \(row.expectedConflicts), rate \(row.writeRate)/s")
    }

    @Test func aResourceSeenHalfAMinuteAgoReadsItsFullWriteRate() throws {
        // /api/orders/1 is written once a second from the start, /api/orders/2 at the same rate
        // only for the last 30 s: both are written once a second now, and the rate says so.
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        for s in 0..<(20 * 60) {
            let t = t0 + Int64(s) * Self.second
            d.send(at: t, client: "10.9.1.\(s % 4 + 1)", method: "PUT", path: "/api/orders/1", status: 200)
            if s >= 20 * 60 - 30 {
                d.send(at: t + 500_000, client: "10.9.2.\(s % 4 + 1)", method: "PUT", path: "/api/orders/2", status: 200)
            }
        }
        d.flush()
        let scores = d.analyzer.model.resourceScores(at: t0 + 20 * Self.minute)
        let old = try #require(scores.first { $0.resource == "/api/orders/1" })
        let new = try #require(scores.first { $0.resource == "/api/orders/2" })
        #expect(abs(old.writeRate - 1) < 0.1, "\(old.writeRate)/s")
        #expect(abs(new.writeRate - 1) < 0.2, "\(new.writeRate)/s")
    }

    @Test func rankScoreGrowsWithRiskAndWithItsRise() {
        let steady = ContentionModel.rankScore(expected: 5, ratio: 1)
        let rising = ContentionModel.rankScore(expected: 5, ratio: 9)
        let bigger = ContentionModel.rankScore(expected: 50, ratio: 0.8)
        #expect(rising.score == 15)
        #expect(bigger.score > rising.score)
        #expect(steady.score == 5 && steady.rising == 1)
        #expect(ContentionModel.rankScore(expected: 5, ratio: 100).score == 20, "the boost is capped at 4×")
    }
}
