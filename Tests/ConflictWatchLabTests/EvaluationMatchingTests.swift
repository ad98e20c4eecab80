import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchLab

/// The matching rule of `evaluate` (EventMatcher) and the scores built on it.
@Suite struct EvaluationMatchingTests {
    static let t0: Int64 = 1_764_000_000_000_000  // 16:00:00Z, a bucket boundary
    static func at(_ seconds: Int64) -> Int64 { t0 + seconds * 1_000_000 }
    static func rfc(_ seconds: Int64) -> String { CivilTime.rfc3339(at(seconds)) }
    let matcher = EventMatcher(bucketSeconds: 10, closeAfter: 3)

    static func event(_ kind: String = "burst", class c: String = "single_client", classes: [String]? = nil,
                      route: String = "/api/orders/{id}", resource: String? = "/api/orders/7", client: String? = "203.0.113.9",
                      from: Int64 = 603, to: Int64 = 700, peak: Int64? = nil, id: String = "e") throws -> TimedEvent {
        try TimedEvent(GroundTruth.Event(id: id, kind: kind, class: c, classes: classes, route: route, resource: resource, client: client,
                                         start: rfc(from), end: rfc(to), peak: peak.map(rfc)))
    }

    static func alert(_ kind: String = "burst", _ classes: [String] = ["single_client"], route: String = "/api/orders/{id}",
                      resource: String? = nil, client: String? = nil, top: [String] = [], from: Int64, id: String = "a",
                      escalations: [Int64] = []) -> AlertRecord {
        AlertRecord(id: id, kind: kind, classes: classes, route: route, resource: resource, client: client, start: at(from),
                    topResources: top.map { AlertRecord.TopResource($0) }, escalations: escalations.map(at))
    }

    /// Scores over a two-hour log from t0.
    func score(_ events: [TimedEvent], _ alerts: [AlertRecord], hours: Int64 = 2, quiet: [String] = []) -> DetectionEvaluation {
        DetectionEvaluation.score(events: events, alerts: alerts, matcher: matcher, start: Self.t0, end: Self.at(hours * 3600), quietRoutes: quiet)
    }

    @Test func burstWindowRunsFromTheEventsBucketToCloseAfterBucketsPastItsEnd() throws {
        let e = try Self.event()  // 603 … 700 s; bucket of the start: 600
        #expect(matcher.matches(Self.alert(from: 600), e))
        #expect(!matcher.matches(Self.alert(from: 590), e))  // already open before: about something else
        #expect(matcher.matches(Self.alert(from: 730), e))  // end + 3 buckets
        #expect(!matcher.matches(Self.alert(from: 740), e))
        #expect(!matcher.matches(Self.alert(route: "/api/carts/{token}", from: 610), e))
        // Another route, but the evidence's top resource is the event's.
        #expect(matcher.matches(Self.alert(route: "/api/orders", top: ["/api/orders/7"], from: 610), e))
        #expect(!matcher.matches(Self.alert("hotspot", ["hot_resource"], resource: "/api/orders/7", from: 610), e))
    }

    @Test func hotspotEventNeedsItsResource() throws {
        let e = try Self.event("hotspot", class: "single_resource", route: "/api/products/{id}/stock",
                               resource: "/api/products/20001/stock", client: nil, from: 600, to: 900, peak: 800)
        #expect(matcher.matches(Self.alert("hotspot", ["hot_resource"], route: "/api/products/{id}/stock", resource: "/api/products/20001/stock", from: 640), e))
        #expect(!matcher.matches(Self.alert("hotspot", ["hot_resource"], route: "/api/products/{id}/stock", resource: "/api/products/20002/stock", from: 640), e))
        #expect(matcher.matches(Self.alert("burst", ["single_resource", "load_driven"], route: "/api/products/{id}/stock",
                                           top: ["/api/products/20001/stock"], from: 650), e))
        // A route burst that does not say single_resource does not detect the hot spot …
        let routeBurst = Self.alert("burst", ["route_wide"], route: "/api/products/{id}/stock", top: ["/api/products/20001/stock"], from: 650)
        #expect(!matcher.matches(routeBurst, e))
        // … but it is about the event, so it is not a false alert either.
        #expect(matcher.explains(routeBurst, e))
    }

    @Test func scoresDelaysFalseAlertsPrecisionAndRecall() throws {
        let storm = try Self.event(from: 605, to: 700)
        let sale = try Self.event("hotspot", class: "single_resource", route: "/api/products/{id}/stock",
                                  resource: "/api/products/20001/stock", client: nil, from: 1200, to: 1500, peak: 1400)
        let regression = try Self.event(class: "route_wide", route: "/api/carts/{token}", resource: nil, client: nil, from: 2000, to: 2300)
        let alerts = [
            Self.alert("burst", ["single_client", "ratio_driven"], from: 620, id: "late"),
            Self.alert("burst", ["single_client"], from: 610, id: "first"),
            Self.alert("hotspot", ["hot_resource"], route: "/api/products/{id}/stock", resource: "/api/products/20001/stock", from: 1250, id: "hot"),
            Self.alert("burst", ["route_wide"], route: "/api/counters/{id}", from: 3000, id: "false1"),
            Self.alert("hotspot", ["hot_resource"], route: "/api/counters/{id}", resource: "/api/counters/1", from: 10, id: "counter"),
            Self.alert("hotspot", ["hot_resource"], route: "/api/orders/{id}", resource: "/api/orders/7", from: 650, id: "storm-hot"),
        ]
        let d = score([storm, sale, regression], alerts)
        #expect(d.events.map(\.detected) == [true, true, false])
        #expect(d.events[0].alertID == "first")
        #expect(d.events[0].delayBuckets == 0.5)  // 610 − 605 = 5 s = ½ bucket
        #expect(d.events[0].matchingAlerts == 2)
        #expect(d.events[0].classMatch == true)
        #expect(d.events[0].clientMatch == false)  // the alert names no client; the truth does
        #expect(d.events[0].classOK == false)
        #expect(d.events[1].delayBuckets == 5)
        #expect(d.events[1].raisedBeforePeak == true)
        #expect(d.events[1].leadBuckets == 15)  // peak 1400 − alert 1250 = 150 s
        #expect(d.events[2].delayBuckets == nil)
        #expect(d.detected == 2 && d.missed == 1)
        #expect(d.recall == 2.0 / 3)
        #expect(d.burstAlerts == 3 && d.trueBurstAlerts == 2)
        #expect(d.falseBurstAlerts.map(\.id) == ["false1"])
        #expect(d.precision == 2.0 / 3)
        #expect(d.falseBurstsPerHour == 0.5)
        #expect(d.hotspotAlerts == 3 && d.hotspotAlertsOnEvents == 2)
        #expect(d.otherHotspotAlertsByRoute == ["/api/counters/{id}": 1])
    }

    @Test func hotspotRaisedAtOrAfterThePeakIsReported() throws {
        let sale = try Self.event("hotspot", class: "single_resource", route: "/s/{id}", resource: "/s/1", client: nil, from: 600, to: 900, peak: 700)
        let late = score([sale], [Self.alert("hotspot", [], route: "/s/{id}", resource: "/s/1", from: 700)], hours: 1)
        #expect(late.events[0].raisedBeforePeak == false)
        let bar = QualityBar.check(late, nil)
        #expect(!bar.passed)
        #expect(bar.failures.contains { $0.contains("peak") })
    }

    @Test func qualityBarNamesWhatFails() throws {
        let storm = try Self.event(from: 600, to: 700)
        let d = score([storm], [Self.alert(client: "203.0.113.9", from: 630), Self.alert(route: "/x", from: 100, id: "f1"),
                                Self.alert(route: "/x", from: 200, id: "f2")], hours: 1)
        let ranking = RankingEvaluation(
            horizonSeconds: 60, bucketSeconds: 10, checkpoints: 5, checkpointsWithPositives: 5, pairs: 50, positives: 5, positivesByRoute: [:],
            rankers: [.init(name: "model", precisionAt10: 0.5, prAUC: 0.4, top10Routes: [:]),
                      .init(name: "recent_writes", precisionAt10: 0.3, prAUC: 0.45, top10Routes: [:]),
                      .init(name: "recent_conflicts", precisionAt10: 0.5, prAUC: 0.2, top10Routes: [:])])
        let bar = QualityBar.check(d, ranking)
        #expect(!bar.passed)
        #expect(bar.failures.count == 4, "\(bar.failures)")
        #expect(bar.failures.contains { $0.contains("3.0 buckets late") })
        #expect(bar.failures.contains { $0.contains("2 false burst alerts") })
        #expect(bar.failures.contains { $0.contains("PR-AUC: model 0.4 does not beat recent_writes 0.45") })
        #expect(bar.failures.contains { $0.contains("precision@10: model 0.5 does not beat recent_conflicts 0.5") })
    }

    @Test func readsAnalyzeOutputOrABareArray() throws {
        let alert = """
            {"id":"burst-1","kind":"burst","class":["single_client"],"severity":"high","route":"/api/orders/{id}",
             "resource":null,"client":"203.0.113.9","statuses":{"412":30},"start":"2025-11-24T16:10:00.000000Z","end":null,
             "peak_count":30,"expected":0.5,"score":20,"probability":null,"top_clients":[{"client":"203.0.113.9","count":30}],
             "top_resources":[{"resource":"/api/orders/7","count":30}],"samples":[],"reason":"…"}
            """
        let fromDocument = try AlertRecord.decodeList(Data("{\"summary\":{},\"routes\":[],\"hotspots\":[],\"alerts\":[\(alert)]}".utf8))
        let fromArray = try AlertRecord.decodeList(Data("[\(alert)]".utf8))
        #expect(fromDocument == fromArray)
        let a = try #require(fromArray.first)
        #expect(a.start == Self.at(600))
        #expect(a.end == nil)
        #expect(a.mainResource == "/api/orders/7")
        #expect(a.topResources == [AlertRecord.TopResource("/api/orders/7", count: 30)])
        #expect(a.escalations.isEmpty)
        #expect(a.topClients == ["203.0.113.9"])
        // Only kind, route and start are required.
        #expect(try AlertRecord.decodeList(Data(#"[{"kind":"hotspot","route":"/r","start":"2025-11-24T16:00:00Z"}]"#.utf8)).count == 1)
    }

    @Test func explainsWhatIsWrongWithABadAlertsFile() {
        #expect(throws: AlertRecord.FormatError.self) { try AlertRecord.decodeList(Data("{\"summary\":{}}".utf8)) }
        do {
            _ = try AlertRecord.decodeList(Data("{\"summary\":{}}".utf8))
        } catch {
            #expect(error.description.contains("analyze --format json"))
            #expect(error.description.contains("alerts"))
        }
        do {
            _ = try AlertRecord.decodeList(Data(#"[{"id":"x","kind":"burst","route":"/r","start":"yesterday"}]"#.utf8))
            Issue.record("a start that is not a time was accepted")
        } catch {
            #expect(error.description.contains("alert x: start \"yesterday\""))
        }
    }
}
