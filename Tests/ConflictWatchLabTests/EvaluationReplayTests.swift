import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchLab

/// The ranking replay on a log small enough to label by hand (horizon 60 s, buckets of 10 s).
@Suite struct EvaluationReplayTests {
    static let t0: Int64 = 1_764_000_000_000_000

    func replay(_ requests: [(seconds: Int64, method: String, path: String, status: Int)], client: (Int) -> String = { _ in "10.0.0.1" },
                watching: [TimedEvent] = []) -> RankingReplay {
        var replay = RankingReplay(parameters: ModelParameters(), watching: watching)
        var parser = LogParser(format: .combined)
        for (i, r) in requests.enumerated() {
            let t = Self.t0 + r.seconds * 1_000_000
            var bytes = Array("\(client(i)) - - [\(AccessLogFormatter.clf(t))] \"\(r.method) \(r.path) HTTP/1.1\" \(r.status) 10".utf8)
            bytes.withUnsafeMutableBytes { buf in
                var x = ExchangeView()
                guard parser.parse(UnsafeRawBufferPointer(buf), into: &x) == .exchange else { Issue.record("did not parse"); return }
                replay.observe(x)
            }
        }
        return replay
    }

    /// /a written at 0 s and (409) at 30 s, /b at 5 s, a read at 200 s ends the traffic.
    /// Checkpoints 10…90 s have candidates (written in the last 60 s) and a full horizon after
    /// them: /a and /b at 10–60, only /a at 70–90: 15 pairs. /a is positive (a conflict in
    /// [T, T+60)) at 10, 20 and 30 — at 30 too, because the conflict at 30 is not yet seen.
    /// recent_conflicts scores /a 1 only at 40–90, all negative: its 6 items come first, then
    /// 9 tied at 0 holding the 3 positives: AP = 3/15 = 0.2. recent_writes: /a 2 at 40–60
    /// (negative), then 12 tied at 1 with the 3 positives: AP = 0.2. At 10, 20, 30 both
    /// candidates tie in every ranker, so precision@10 = ½ there. /a never reaches min_writes:
    /// the model scores everything 0.
    @Test func labelsCandidatesAndScoresNaiveRankersByHand() throws {
        let r = replay([(0, "PUT", "/a", 200), (5, "PUT", "/b", 200), (30, "PUT", "/a", 409), (200, "GET", "/x", 200)])
        let e = r.evaluate()
        #expect(e.checkpoints == 9)
        #expect(e.pairs == 15)
        #expect(e.positives == 3)
        #expect(e.checkpointsWithPositives == 3)
        #expect(e.positivesByRoute == ["/a": 3])
        for name in ["model", "recent_writes", "recent_conflicts"] {
            let k = try #require(e.ranker(name))
            #expect(k.prAUC == 0.2, "\(name)")
            #expect(k.precisionAt10 == 0.5, "\(name)")
        }
        #expect(r.conflicted("/a", from: Self.t0 + 30_000_000, to: Self.t0 + 31_000_000))
        #expect(!r.conflicted("/a", from: Self.t0 + 31_000_000, to: Self.t0 + 200_000_000))
        #expect(!r.conflicted("/nowhere", from: Self.t0, to: Self.t0 + 200_000_000))
    }

    @Test func rankersSeeOnlyThePast() throws {
        // A resource that conflicts every 5 s from 100 s on, written before that too; every
        // checkpoint from 100 s is positive. The model and recent_conflicts must not know at
        // 100 s (nothing seen yet), so there recent_conflicts scores it 0.
        var requests: [(Int64, String, String, Int)] = []
        for s in stride(from: Int64(0), to: 400, by: 5) {
            requests.append((s, "PUT", "/hot", s >= 100 ? 409 : 200))
            requests.append((s + 2, "PUT", "/cold/\(s)", 200))
        }
        let e = replay(requests).evaluate()
        let conflicts = try #require(e.ranker("recent_conflicts"))
        // /hot is positive at 40…330 (conflicts from 100 within the next 60 s); recent_conflicts
        // ranks it first only from 110 on — not a perfect ranker, but close.
        let ap = try #require(conflicts.prAUC)
        #expect(ap > 0.5 && ap < 1)
        #expect(e.positivesByRoute.keys.sorted() == ["/hot"])
    }

    /// The model ranker scores by the model's own order (position in `resourceScores`), so
    /// resources the model ranks never tie — not even when busy ones all sit at probability 1
    /// — and the replay's order is the model's.
    @Test func modelRankerKeepsTheModelsOwnOrder() throws {
        var requests: [(Int64, String, String, Int)] = []
        // Eight counters written by many clients every second, at different rates, with conflicts.
        for s in Int64(0)..<300 {
            for k in 0..<8 where s % Int64(k + 1) == 0 {
                requests.append((s, "PATCH", "/c/\(k)", s % 3 == 0 ? 409 : 200))
                requests.append((s, "PATCH", "/c/\(k)", 200))
            }
        }
        let r = replay(requests, client: { "10.0.0.\($0 % 50 + 1)" })
        let last = try #require(r.checkpoints.last)
        let ranked = last.ids.indices.filter { last.model[$0] > 0 }
        #expect(ranked.count == 8)
        #expect(Set(ranked.map { last.model[$0] }).count == ranked.count, "tied model scores: \(ranked.map { last.model[$0] })")
        let replayOrder = ranked.sorted { last.model[$0] > last.model[$1] }.map { r.names[last.ids[$0]] }
        let modelOrder = r.analyzer.model.resourceScores(at: last.time).map(\.resource).filter { $0.hasPrefix("/c/") }
        #expect(replayOrder == modelOrder)
    }

    /// The scores follow the model's list exactly, on the probability scale: a resource the
    /// model lists above likelier ones is lifted to the likeliest below it; ties in probability
    /// keep the model's order by a step far smaller than any probability difference.
    @Test func orderScoresKeepTheModelsOrderOnTheProbabilityScale() throws {
        let s = RankingReplay.orderScores([("a", 0.5), ("b", 1.0), ("c", 1.0), ("d", 0.2)])
        #expect(s.map(\.0) == ["a", "b", "c", "d"])
        let v = s.map(\.1)
        #expect(v[0] > v[1] && v[1] > v[2] && v[2] > v[3])
        #expect(abs(v[0] - 1.0) < 1e-8 && abs(v[1] - 1.0) < 1e-8 && abs(v[2] - 1.0) < 1e-8)  // a lifted to 1
        #expect(abs(v[3] - 0.2) < 1e-8)
        // In probability order they are the probabilities.
        let plain = RankingReplay.orderScores([("x", 0.9), ("y", 0.4), ("z", 0.0)]).map(\.1)
        #expect(zip(plain, [0.9, 0.4, 0.0]).allSatisfy { abs($0 - $1) < 1e-8 } && plain[2] > 0)
        #expect(RankingReplay.orderScores([]).isEmpty)
    }

    /// The lead-time probe: every second from the event's start, the first probe (which sees
    /// the exchanges before it) at which the resource is the model's #1. /hot is the only
    /// resource with `min_writes` (5) writes, so it is #1 from the first probe after its
    /// fifth write (at 104 s): the probe at 105 s; the onset (first conflict) was at 103 s.
    @Test func leadTimeIsTheFirstProbeAtWhichTheResourceLeads() throws {
        let writes: [(Int64, String, String, Int)] = [
            (50, "PUT", "/cold", 200), (51, "PUT", "/cold", 200),
            (100, "PUT", "/hot", 200), (101, "PUT", "/hot", 200), (102, "PUT", "/hot", 200), (103, "PUT", "/hot", 409),
            (104, "PUT", "/hot", 200), (106, "PUT", "/hot", 412), (107, "GET", "/x", 200),
        ]
        func event(until: Int64) throws -> TimedEvent {
            try TimedEvent(GroundTruth.Event(
                id: "sale", kind: "hotspot", class: "single_resource", route: "/hot", resource: "/hot", client: nil,
                start: CivilTime.rfc3339(Self.t0 + 100_000_000), end: CivilTime.rfc3339(Self.t0 + until * 1_000_000),
                onset: CivilTime.rfc3339(Self.t0 + 103_000_000)))
        }
        let clients = { (i: Int) in "10.0.0.\(i % 3 + 1)" }
        let lead = try #require(replay(writes, client: clients, watching: [try event(until: 107)]).hotspotLeads.first)
        #expect(lead.event == "sale" && lead.resource == "/hot")
        #expect(lead.rankedFirstAt == CivilTime.rfc3339(Self.t0 + 105_000_000))
        #expect(lead.afterStart == 5)
        #expect(lead.afterOnset == 2)
        // Probes stop at the event's end.
        let ended = try #require(replay(writes, client: clients, watching: [try event(until: 104)]).hotspotLeads.first)
        #expect(ended.rankedFirstAt == nil && ended.afterStart == nil && ended.afterOnset == nil)
        // Burst events are not probed.
        let burst = try TimedEvent(GroundTruth.Event(id: "b", kind: "burst", class: "route_wide", route: "/hot", resource: "/hot", client: nil,
                                                     start: CivilTime.rfc3339(Self.t0), end: CivilTime.rfc3339(Self.t0 + 1)))
        #expect(replay(writes, watching: [burst]).hotspotLeads.isEmpty)
    }

    /// `evaluate`'s hotspot-alert precision (EvaluationReport.score): of the resources hotspot
    /// alerts name, the share with a conflict within the horizon (60 s) after they were named.
    /// /a is named at 10 s and conflicts at 30 s; /b is named at 10 s and never conflicts; the
    /// burst alert on /b does not count. 1 of 2 = 0.5.
    @Test func hotspotAlertPrecisionCountsNamedResourcesWithAConflictWithinTheHorizon() throws {
        let r = replay([(0, "PUT", "/a", 200), (5, "PUT", "/b", 200), (30, "PUT", "/a", 409), (200, "GET", "/x", 200)])
        let truth = try JSONDecoder().decode(GroundTruth.self, from: Data("""
            {"scenario": "hand", "seed": 1, "log": "access.log", "log_format": "combined", "bucket_seconds": 10,
             "start": "2025-11-24T16:00:00Z", "end": "2025-11-24T17:00:00Z", "events": []}
            """.utf8))
        let at10 = Self.t0 + 10_000_000
        let alerts = [
            AlertRecord(id: "h1", kind: "hotspot", route: "/a", resource: "/a", start: at10),
            AlertRecord(id: "h2", kind: "hotspot", route: "/b", start: at10, topResources: [.init("/b", since: at10)]),
            AlertRecord(id: "b1", kind: "burst", route: "/b", resource: "/b", start: at10),
        ]
        let summary = EvaluationReport.Replay(log: "access.log", lines: 4, exchanges: 4, malformed: 0)
        let report = EvaluationReport.score(
            truth: truth, truthPath: "truth.json", alertsPath: "alerts.json", events: [], alerts: alerts,
            start: Self.t0, end: Self.t0 + 3_600_000_000, parameters: ModelParameters(), replay: (r, summary))
        #expect(report.detection.hotspotAlertPrecision == 0.5)
        #expect(report.replay?.lines == 4)
        #expect(report.ranking != nil)
        let unreplayed = EvaluationReport.score(
            truth: truth, truthPath: "truth.json", alertsPath: "alerts.json", events: [], alerts: alerts,
            start: Self.t0, end: Self.t0 + 3_600_000_000, parameters: ModelParameters(), replay: nil)
        #expect(unreplayed.detection.hotspotAlertPrecision == nil && unreplayed.ranking == nil && unreplayed.replay == nil)
    }
}
