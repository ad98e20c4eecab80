import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchLab

/// The issue-9 parts of `evaluate`: class and client correctness, detection by escalation,
/// grouped hotspot alerts, the non-event alert volume, quiet routes, and the bar on them.
/// Times are seconds from 16:00:00Z (a bucket boundary; buckets of 10 s, close_after 3).
@Suite struct EvaluationIncidentTests {
    typealias M = EvaluationMatchingTests
    let matcher = EventMatcher(bucketSeconds: 10, closeAfter: 3)

    func score(_ events: [TimedEvent], _ alerts: [AlertRecord], seconds: Int64 = 3600, quiet: [String] = []) -> DetectionEvaluation {
        DetectionEvaluation.score(events: events, alerts: alerts, matcher: matcher, start: M.t0, end: M.at(seconds), quietRoutes: quiet)
    }

    // MARK: - Classes and client

    @Test func everyTruthClassMustBeNamedAndTheClientEqual() throws {
        let regression = try M.event(class: "route_wide", classes: ["route_wide", "ratio_driven"], route: "/api/carts/{token}",
                                     resource: nil, client: nil, from: 1200, to: 1500)
        let wrong = score([regression], [M.alert("burst", ["route_wide", "load_driven"], route: "/api/carts/{token}", from: 1210)])
        #expect(wrong.events[0].detected)
        #expect(wrong.events[0].missingClasses == ["ratio_driven"])
        #expect(wrong.events[0].classMatch == false && wrong.events[0].classOK == false)
        #expect(wrong.events[0].clientMatch == nil)  // the truth names no client: nothing to compare
        #expect(wrong.classesOK == 0)
        // Extra classes do not hurt; order does not matter; a client the truth does not ask for is fine.
        let right = score([regression], [M.alert("burst", ["ratio_driven", "multi_route", "route_wide"], route: "/api/carts/{token}",
                                                  client: "10.0.0.1", from: 1210)])
        #expect(right.events[0].missingClasses == [] && right.events[0].classOK == true)
        #expect(right.classesOK == 1)

        let storm = try M.event(class: "single_client", classes: ["single_client"], client: "203.0.113.9", from: 1200, to: 1300)
        for (client, ok) in [("203.0.113.9", true), ("203.0.113.10", false)] as [(String?, Bool)] + [(nil, false)] {
            let d = score([storm], [M.alert("burst", ["single_client", "ratio_driven"], client: client, from: 1200)])
            #expect(d.events[0].clientMatch == ok, "client \(client ?? "null")")
            #expect(d.events[0].classOK == ok)
            #expect(QualityBar.check(d, nil).passed == ok, "\(QualityBar.check(d, nil).failures)")
        }
        // Only the first detecting alert's diagnosis counts: a later right one does not rescue it.
        let d = score([storm], [M.alert("burst", ["route_wide"], client: nil, from: 1200, id: "first"),
                                M.alert("burst", ["single_client"], client: "203.0.113.9", from: 1220, id: "second")])
        #expect(d.events[0].alertID == "first" && d.events[0].classOK == false)
        let bar = QualityBar.check(d, nil)
        #expect(bar.failures.contains { $0.contains("lacks single_client") })
        #expect(bar.failures.contains { $0.contains("names client null, the truth 203.0.113.9") })
    }

    @Test func aHotspotAlertNamesSingleResourceByItsKind() throws {
        let sale = try M.event("hotspot", class: "single_resource", classes: ["single_resource"], route: "/s/{id}", resource: "/s/1",
                               client: nil, from: 1200, to: 1500)
        let d = score([sale], [M.alert("hotspot", ["hot_resource"], route: "/s/{id}", resource: "/s/1", from: 1260)])
        #expect(d.events[0].classOK == true)
        // A burst must say it.
        let burst = score([sale], [M.alert("burst", ["route_wide"], route: "/s/{id}", top: ["/s/1"], from: 1260)])
        #expect(!burst.events[0].detected)
        // A truth that asks for more than the kind implies still needs it named.
        let more = try M.event("hotspot", class: "single_resource", classes: ["single_resource", "load_driven"], route: "/s/{id}",
                               resource: "/s/1", client: nil, from: 1200, to: 1500)
        #expect(score([more], [M.alert("hotspot", ["hot_resource"], route: "/s/{id}", resource: "/s/1", from: 1260)]).events[0].missingClasses == ["load_driven"])
    }

    // MARK: - Escalation

    /// An alert opened on a trend before the event detects the event only through an
    /// escalation inside the event's window, at the escalation's time.
    @Test func anOpenBurstDetectsAnEventOnlyByEscalatingInItsWindow() throws {
        let rush = try M.event(class: "route_wide", route: "/api/bookings", resource: nil, client: nil, from: 1203, to: 1223)
        // Window: 1200 … 1253.
        let swallowed = M.alert("burst", ["route_wide"], route: "/api/bookings", from: 600, id: "trend")
        #expect(matcher.detection(swallowed, rush) == nil)
        let early = M.alert("burst", ["route_wide"], route: "/api/bookings", from: 600, id: "trend", escalations: [700, 1199])
        #expect(matcher.detection(early, rush) == nil)
        let stepped = M.alert("burst", ["route_wide"], route: "/api/bookings", from: 600, id: "trend", escalations: [700, 1210, 1230])
        #expect(matcher.detection(stepped, rush) == .init(time: M.at(1210), via: .escalation))
        let late = M.alert("burst", ["route_wide"], route: "/api/bookings", from: 600, id: "trend", escalations: [1254])
        #expect(matcher.detection(late, rush) == nil)
        // Another route's escalation is not about it.
        #expect(matcher.detection(M.alert("burst", [], route: "/x", from: 600, escalations: [1210]), rush) == nil)

        let d = score([rush], [stepped])
        #expect(d.events[0].detected && d.events[0].detectedVia == .escalation)
        #expect(d.events[0].detectedAt == M.rfc(1210))
        #expect(d.events[0].delayBuckets == 0.7)  // 1210 − 1203
        // The alert's opening was about no event: still a false burst (the trend alone must not alert).
        #expect(d.falseBurstAlerts.map(\.id) == ["trend"])
        // An alert that opens in the window is detected at its start even if it escalates later.
        let opened = score([rush], [M.alert("burst", ["route_wide"], route: "/api/bookings", from: 1210, escalations: [1220])])
        #expect(opened.events[0].detectedVia == .opened && opened.events[0].delayBuckets == 0.7)
        #expect(opened.falseBurstAlerts.isEmpty)
    }

    @Test func readsEscalationsAndGroupedTopResources() throws {
        let json = """
            [{"id":"b","kind":"burst","class":["route_wide"],"route":"/api/bookings","start":"2025-11-24T16:10:00Z",
              "escalations":[{"time":"2025-11-24T16:20:10Z","count":412,"expected":6.5}]},
             {"id":"h","kind":"hotspot","class":["hot_resource"],"route":"/s/{id}","resource":null,"start":"2025-11-24T16:05:00Z",
              "top_resources":[{"resource":"/s/2","count":4,"since":"2025-11-24T16:21:00Z"},{"resource":"/s/1","count":9,"since":"2025-11-24T16:05:00Z"}]}]
            """
        let alerts = try AlertRecord.decodeList(Data(json.utf8))
        #expect(alerts[0].escalations == [M.at(1210)])
        #expect(alerts[1].topResources == [.init("/s/2", count: 4, since: M.at(1260)), .init("/s/1", count: 9, since: M.at(300))])
        #expect(alerts[1].members.map(\.resource) == ["/s/2", "/s/1"])
        do {
            _ = try AlertRecord.decodeList(Data(#"[{"kind":"burst","route":"/r","start":"2025-11-24T16:00:00Z","escalations":[{"time":"soon"}]}]"#.utf8))
            Issue.record("an escalation time that is not a time was accepted")
        } catch {
            #expect(error.description.contains("escalation time \"soon\""))
        }
    }

    // MARK: - Grouped hotspot alerts

    @Test func aResourceJoiningAGroupedHotspotAlertDetectsAtItsSince() throws {
        let sale = try M.event("hotspot", class: "single_resource", route: "/s/{id}", resource: "/s/1", client: nil, from: 1203, to: 1500, peak: 1400)
        func grouped(_ entries: [(String, Int64?)], from: Int64 = 300) -> AlertRecord {
            AlertRecord(id: "g", kind: "hotspot", classes: ["hot_resource"], route: "/s/{id}", start: M.at(from),
                        topResources: entries.map { .init($0.0, count: 3, since: $0.1.map(M.at)) })
        }
        // Open since 300 for another product; /s/1 joins at 1260.
        let joined = grouped([("/s/9", 300), ("/s/1", 1260)])
        #expect(matcher.detection(joined, sale) == .init(time: M.at(1260), via: .joined))
        #expect(!matcher.explains(joined, sale))  // its opening was about /s/9
        // Joined before the event's bucket: about something else.
        #expect(matcher.detection(grouped([("/s/1", 1190)]), sale) == nil)
        // An entry without since counts from the alert's start.
        #expect(matcher.detection(grouped([("/s/1", nil)], from: 1250), sale) == .init(time: M.at(1250), via: .opened))
        #expect(matcher.detection(grouped([("/s/1", nil)]), sale) == nil)
        // Not named at all.
        #expect(matcher.detection(grouped([("/s/2", 1260)]), sale) == nil)
        // The old shape (one alert per resource) still matches.
        #expect(matcher.detection(M.alert("hotspot", ["hot_resource"], route: "/s/{id}", resource: "/s/1", from: 1260), sale)?.time == M.at(1260))

        let d = score([sale], [joined])
        #expect(d.events[0].detected && d.events[0].detectedVia == .joined)
        #expect(d.events[0].delayBuckets == 5.7)  // 1260 − 1203
        #expect(d.events[0].raisedBeforePeak == true && d.events[0].leadBuckets == 14)
        // A hotspot alert on the event's route that does not name its resource is not about it.
        let other = M.alert("hotspot", ["hot_resource"], route: "/s/{id}", resource: "/s/2", from: 1260)
        #expect(!matcher.explains(other, sale))
        #expect(score([sale], [other]).otherHotspotAlertsByRoute == ["/s/{id}": 1])
    }

    // MARK: - Volume

    /// Warm-up: 15 minutes, or until the first event if sooner. Alerts opened after it whose
    /// opening explains no event count, of either kind.
    @Test func countsAlertsAboutNoEventAfterTheWarmUp() throws {
        let storm = try M.event(from: 1200, to: 1300)  // orders, window 1200 … 1330
        let alerts = [
            M.alert("burst", ["route_wide"], route: "/api/counters/{id}", from: 300, id: "warm-up"),
            M.alert("hotspot", ["hot_resource"], route: "/api/counters/{id}", resource: "/api/counters/1", from: 899, id: "warm-up-2"),
            M.alert("burst", ["route_wide"], route: "/api/counters/{id}", from: 900, id: "n1"),
            M.alert("hotspot", ["hot_resource"], route: "/api/counters/{id}", resource: "/api/counters/2", from: 2000, id: "n2"),
            M.alert("hotspot", ["hot_resource"], route: "/api/products/{id}/stock", top: ["/api/products/7/stock"], from: 3000, id: "n3"),
            M.alert("burst", ["single_client"], client: "203.0.113.9", from: 1210, id: "storm"),
            // A hot spot on the storm's route during the storm: the same incident seen as a hot spot.
            M.alert("hotspot", ["hot_resource"], resource: "/api/orders/7", from: 1220, id: "storm-hot"),
            // Same route after the window: not explained.
            M.alert("burst", ["single_client"], from: 1340, id: "n4"),
        ]
        let d = score([storm], alerts, seconds: 5400)
        #expect(d.warmupEnd == M.rfc(900) && !d.warmupEndsAtFirstEvent)
        #expect(d.scoredHours == 1.25)  // (5400 − 900) / 3600
        #expect(d.nonEventAlerts.map(\.id) == ["n1", "n2", "n3", "n4"])
        #expect(d.nonEventAlerts.map(\.kind) == ["burst", "hotspot", "hotspot", "burst"])
        #expect(d.nonEventAlertsPerHour == 3.2)
        #expect(d.falseBurstAlerts.map(\.id) == ["warm-up", "n1", "n4"])  // false bursts count over the whole log

        // The first event before 15 min ends the warm-up there.
        let early = try M.event(from: 700, to: 760)
        let e = score([early], [M.alert("burst", [], route: "/x", from: 800, id: "x")], seconds: 3600)
        #expect(e.warmupEnd == M.rfc(700) && e.warmupEndsAtFirstEvent)
        #expect(e.nonEventAlerts.map(\.id) == ["x"])
    }

    @Test func volumeBarIsSixAnHourAfterTheWarmUp() throws {
        // 45 min of scored traffic: 4.5 allowed.
        func alerts(_ n: Int) -> [AlertRecord] {
            (0..<n).map { M.alert("hotspot", ["hot_resource"], route: "/r/{id}", resource: "/r/\($0)", from: 1000 + Int64($0) * 60, id: "h\($0)") }
        }
        let four = QualityBar.check(score([], alerts(4)), nil)
        #expect(four.passed, "\(four.failures)")
        let five = QualityBar.check(score([], alerts(5)), nil)
        #expect(!five.passed)
        #expect(five.failures == ["5 alerts about no event after the warm-up in 0.75 h (bar: ≤ 6.0 per hour, 4 here): hotspot /r/{id} ×5"])
        // At least one allowed in a short log.
        let short = score([], alerts(1), seconds: 1000)
        #expect(short.scoredHours < 0.1 && QualityBar.check(short, nil).passed)
        #expect(QualityBar.nonEventAlertsPerHour == 6)
    }

    @Test func anyAlertOnAQuietRouteFailsTheBar() throws {
        let quiet = ["/api/documents/{id}", "/api/notes/{id}"]
        let alerts = [M.alert("hotspot", ["hot_resource"], route: "/api/documents/{id}", resource: "/api/documents/4007", from: 100, id: "q1"),
                      M.alert("burst", ["route_wide"], route: "/api/orders/{id}", from: 2000, id: "b")]
        let d = score([], alerts, quiet: quiet)
        #expect(d.quietRouteAlerts.map(\.id) == ["q1"])  // during the warm-up too
        let bar = QualityBar.check(d, nil)
        #expect(bar.failures.contains("1 alerts on quiet routes (bar: none): hotspot on /api/documents/{id}"))
        #expect(score([], [alerts[1]], quiet: quiet).quietRouteAlerts.isEmpty)
    }

    // MARK: - Ranking lead time

    @Test func hotSpotMustBeRankedFirstWithinThirtySecondsOfItsOnset() throws {
        let sale = try M.event("hotspot", class: "single_resource", route: "/s/{id}", resource: "/s/1", client: nil, from: 1200, to: 1500, id: "sale")
        var d = score([sale], [M.alert("hotspot", ["hot_resource"], route: "/s/{id}", resource: "/s/1", from: 1260)])
        func ranking(_ lead: RankingEvaluation.HotspotLead?) -> RankingEvaluation {
            RankingEvaluation(
                horizonSeconds: 60, bucketSeconds: 10, checkpoints: 5, checkpointsWithPositives: 5, pairs: 50, positives: 5, positivesByRoute: [:],
                rankers: [.init(name: "model", precisionAt10: 0.9, prAUC: 0.9, top10Routes: [:]),
                          .init(name: "recent_writes", precisionAt10: 0.3, prAUC: 0.3, top10Routes: [:]),
                          .init(name: "recent_conflicts", precisionAt10: 0.3, prAUC: 0.3, top10Routes: [:])],
                hotspotLeads: lead.map { [$0] } ?? [])
        }
        let onTime = RankingEvaluation.HotspotLead(event: "sale", resource: "/s/1", rankedFirstAt: M.rfc(1290), afterStart: 90, afterOnset: 30)
        #expect(QualityBar.check(d, ranking(onTime)).passed)
        d.attach([onTime])
        #expect(d.events[0].rankedFirstAfterOnset == 30 && d.events[0].rankedFirstAt == M.rfc(1290))
        let late = RankingEvaluation.HotspotLead(event: "sale", resource: "/s/1", rankedFirstAt: M.rfc(1291), afterStart: 91, afterOnset: 31)
        #expect(QualityBar.check(d, ranking(late)).failures == ["sale: ranked first 31.0 s after its onset (bar: ≤ 30 s)"])
        // Without an onset in the truth, from the start.
        let noOnset = RankingEvaluation.HotspotLead(event: "sale", resource: "/s/1", rankedFirstAt: M.rfc(1231), afterStart: 31, afterOnset: nil)
        #expect(!QualityBar.check(d, ranking(noOnset)).passed)
        let never = RankingEvaluation.HotspotLead(event: "sale", resource: "/s/1", rankedFirstAt: nil, afterStart: nil, afterOnset: nil)
        #expect(QualityBar.check(d, ranking(never)).failures == ["sale: the model never ranked /s/1 first during the event"])
        // Not checked when the ranking was skipped (--no-ranking).
        #expect(QualityBar.check(d, nil).passed)
    }
}
