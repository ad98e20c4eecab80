import Testing
@testable import ConflictWatchCore

/// The alert state machine on its own, and the model's restart state and idle clock built on it.
@Suite struct AlertLifecycleTests {
    static let second: Int64 = 1_000_000
    static let minute: Int64 = 60_000_000

    @Test func transitions() {
        var a = AlertLifecycle()
        #expect(a.anomalous(escalated: false) == .update)
        #expect(a.anomalous(escalated: true) == .escalate)
        #expect(a.quiet(closeAfter: 3, end: 100) == nil)
        #expect(a.quiet(closeAfter: 3, end: 100) == nil)
        // Evidence resets the quiet count.
        #expect(a.anomalous(escalated: false) == .update)
        #expect(a.quiet(closeAfter: 3, end: 200) == nil)
        #expect(a.quiet(closeAfter: 3, end: 200) == nil)
        #expect(a.quiet(closeAfter: 3, end: 200) == .close)
        #expect(a.closedAt == 200)
        #expect(a.quiet(closeAfter: 3, end: 300) == nil, "a closed alert stays closed")
        #expect(a.canReopen(at: 250, window: 100))
        #expect(!a.canReopen(at: 301, window: 100))
        #expect(a.anomalous(escalated: true) == .reopen)
        #expect(a.isOpen)
    }

    /// Background plus a retry storm, the traffic the restart tests cut in two.
    static func traffic(_ d: inout TrafficDriver) {
        let t0 = TrafficDriver.start
        BurstRuleTests.steady(&d, from: t0, seconds: 30 * 60, perSecond: 5, conflictEvery: 50)
        BurstRuleTests.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 20 * minute, seconds: 120, perSecond: 4)
        HotspotRuleTests.popularOrders(&d, from: t0, seconds: 30 * 60, orders: 3)
        HotspotRuleTests.stampede(&d, path: "/api/stock/4242", from: t0 + 19 * minute, seconds: 150)
    }

    @Test(arguments: [20 * minute + 45 * second, 19 * minute + 30 * second, 25 * minute])
    func aRestartFromTheSnapshotChangesNoVerdict(cut: Int64) throws {
        var whole = TrafficDriver()
        Self.traffic(&whole)
        whole.finish()
        let expected = whole.analyzer.alerts()
        #expect(expected.contains { $0.kind == .burst } && expected.contains { $0.kind == .hotspot })

        // The same traffic, cut at `cut` (mid-storm, mid-stampede, or after): the second half
        // runs in a fresh analyzer restored from the first half's snapshot.
        var first = TrafficDriver()
        Self.traffic(&first)
        first.pending.sort { ($0.time, $0.seq) < ($1.time, $1.seq) }
        let rest = first.pending.filter { $0.time >= TrafficDriver.start + cut }
        first.pending.removeAll { $0.time >= TrafficDriver.start + cut }
        first.flush()
        let bytes = first.analyzer.snapshot()
        var second = TrafficDriver()
        try second.analyzer.restore(bytes)
        second.pending = rest
        second.finish()
        #expect(second.analyzer.alerts() == expected)
    }

    @Test func aSnapshotFromAnotherModelIsRefused() throws {
        var d = TrafficDriver()
        Self.traffic(&d)
        d.flush()
        let bytes = d.analyzer.snapshot()
        var p = ModelParameters()
        p.bucketSeconds = 5
        var other = TrafficAnalyzer(parameters: p)
        #expect(throws: ModelSnapshot.Incompatible.self) { try other.restore(bytes) }
        var fresh = TrafficAnalyzer()
        #expect(throws: (any Error).self) { try fresh.restore(Array(bytes.prefix(bytes.count / 2))) }
        #expect(fresh.alerts().isEmpty, "a failed restore leaves the analyzer fresh")
    }

    @Test func transitionsAreTakenOnceWithStableEventIDs() throws {
        var d = TrafficDriver()
        Self.traffic(&d)
        d.finish()
        let (alerts, transitions) = d.analyzer.takeAlertChanges()
        let storm = try #require(alerts.first { $0.client == "127.0.0.66" }, "\(alerts.map { "\($0.kind) \($0.class) \($0.client ?? "-") \($0.start)" })")
        let mine = transitions.filter { $0.alertID == storm.id }
        #expect(mine.map(\.kind) == [.opened, .closed])
        #expect(mine.map(\.sequence) == [0, 1])
        #expect(mine.first?.eventID == "\(storm.id)/0-opened")
        let again = d.analyzer.takeAlertChanges()
        #expect(again.alerts.isEmpty && again.transitions.isEmpty)
    }

    @Test func anIdleClockClosesAlertsWithoutNewTraffic() throws {
        var d = TrafficDriver()
        let t0 = TrafficDriver.start
        BurstRuleTests.steady(&d, from: t0, seconds: 20 * 60, perSecond: 5, conflictEvery: 50)
        HotspotRuleTests.popularOrders(&d, from: t0, seconds: 20 * 60, orders: 2)
        BurstRuleTests.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 19 * Self.minute, seconds: 60, perSecond: 4)
        d.flush()
        #expect(d.analyzer.model.openAlertCount == 1)
        // The server goes quiet: a minute of wall-clock time later the storm's alert is closed.
        let closed = d.analyzer.advanceClock(to: d.analyzer.model.clock + Self.minute)
        #expect(closed)
        #expect(d.analyzer.model.openAlertCount == 0)
        let storm = try #require(d.analyzer.alerts().first)
        #expect(storm.end != nil)
        #expect(d.analyzer.hotspots(top: 1).first?.asOf == CivilTime.rfc3339(d.analyzer.model.clock))
    }

    @Test func theDaemonDropsClosedAlertsOnceTaken() {
        var d = TrafficDriver()
        d.analyzer.keepsClosedAlerts = false
        let t0 = TrafficDriver.start
        BurstRuleTests.steady(&d, from: t0, seconds: 60 * 60, perSecond: 5, conflictEvery: 50)
        BurstRuleTests.storm(&d, client: "127.0.0.66", path: "/api/orders/13", from: t0 + 20 * Self.minute, seconds: 60, perSecond: 4)
        d.finish()
        _ = d.analyzer.takeAlertChanges()
        #expect(d.analyzer.model.bursts.isEmpty, "closed more than the reopen window ago")
    }
}
