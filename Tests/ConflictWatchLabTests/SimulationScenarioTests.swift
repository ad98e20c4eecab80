import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchLab

/// What the new scenarios' truth and docs/evaluation.md say the traffic does, checked on the
/// requests themselves (counted here from paths, statuses and clients, not from the engine's
/// own bookkeeping).
@Suite struct SimulationScenarioTests {
    static func run(_ scenario: Scenario, seed: UInt64 = 2, seconds: Double? = nil) -> (requests: [SimulatedRequest], truth: GroundTruth) {
        var requests: [SimulatedRequest] = []
        let truth = TrafficSimulator(settings: SimulationSettings(scenario: scenario, seed: seed, durationSeconds: seconds))
            .run { requests.append($0) }
        return (requests, truth)
    }

    static func window(_ e: GroundTruth.Event) throws -> ClosedRange<Int64> {
        let e = try TimedEvent(e)
        return e.start...e.end
    }

    /// Conflicts per `minutes`-minute window of `requests`, from the first request's minute.
    static func perWindow(_ requests: [SimulatedRequest], from start: Int64, minutes: Int64) -> [Int] {
        var out: [Int] = []
        for r in requests where r.isConflict {
            let k = Int((r.time - start) / (minutes * 60_000_000))
            while out.count <= k { out.append(0) }
            out[k] += 1
        }
        return out
    }

    /// Locked documents: every write refused, each written by one client only, about 5% of the
    /// route's writes, all through the log; the other documents rarely conflict.
    @Test(arguments: [UInt64(1), 2])
    func lockedDocumentsAreASteadyTrickleFromSingleWriters(seed: UInt64) throws {
        let (requests, truth) = Self.run(.steady, seed: seed, seconds: 1800)
        let writes = requests.filter { $0.isWrite && $0.path.hasPrefix("/api/documents/") }
        #expect(writes.allSatisfy { $0.method == "PUT" })
        let byPath = Dictionary(grouping: writes, by: \.path)
        // A locked document: written at least three times, never accepted.
        let locked = byPath.filter { $0.value.count >= 3 && $0.value.allSatisfy(\.isConflict) }
        #expect(locked.count >= 8, "\(locked.count) locked documents seen")
        for (path, w) in locked {
            #expect(Set(w.map(\.client)).count == 1, "\(path) written by \(Set(w.map(\.client)))")
            #expect(w.allSatisfy { $0.status == 409 })
        }
        let refused = locked.values.reduce(0) { $0 + $1.count }
        let share = Double(refused) / Double(writes.count)
        #expect(share > 0.03 && share < 0.07, "locked share of the route's writes: \(share)")
        // A trickle: every 5 minutes has some.
        let start = try #require(EvaluationTime.micros(truth.start))
        let trickle = Self.perWindow(locked.values.flatMap { $0 }, from: start, minutes: 5)
        #expect(trickle.count == 6 && trickle.allSatisfy { $0 >= 5 }, "\(trickle)")
        // The other documents: a few writers each, rarely at once.
        let others = byPath.filter { locked[$0.key] == nil }
        let raced = others.values.reduce(0) { $0 + $1.filter(\.isConflict).count }
        let otherWrites = others.values.reduce(0) { $0 + $1.count }
        #expect(Double(raced) / Double(otherWrites) < 0.02, "\(raced) of \(otherWrites) writes to unlocked documents conflicted")
        // (Collaborators behind one office address look like one client, so not every one.)
        let busy = others.values.filter { $0.count >= 6 }
        let shared = busy.filter { Set($0.map(\.client)).count >= 2 }
        #expect(busy.count >= 10 && Double(shared.count) >= 0.8 * Double(busy.count), "\(shared.count) of \(busy.count) busy documents shared")
    }

    /// The bookings trend rises for many minutes; the rush is a dozen new clients and hundreds
    /// of 409s inside its window, far above any 10 s of the trend before it.
    @Test(arguments: [UInt64(1), 2, 3])
    func bookingConflictsRiseSlowlyThenTheRushFights(seed: UInt64) throws {
        let (requests, truth) = Self.run(.trendRush, seed: seed)
        let e = try #require(truth.events.first)
        #expect(e.route == "/api/bookings" && e.kind == "burst")
        let rush = try Self.window(e)
        let start = try #require(EvaluationTime.micros(truth.start))
        let posts = requests.filter { $0.method == "POST" && $0.path == "/api/bookings" }
        #expect(posts.allSatisfy { $0.status == 201 || $0.status == 409 })
        let before = posts.filter { $0.time < rush.lowerBound }
        let during = posts.filter { rush.contains($0.time) }
        // The trend: each 5-minute window before the rush has at least as many 409s as two
        // windows earlier, and the last has many times the first.
        let windows = Self.perWindow(before, from: start, minutes: 5).dropLast()  // the last is cut by the rush
        #expect(windows.count >= 3)
        for k in 2..<windows.count { #expect(windows[k] >= windows[k - 2], "\(Array(windows))") }
        #expect(windows.last! >= 4 * max(1, windows.first!), "\(Array(windows))")
        // No 10 s of the trend comes near the rush.
        let trendPeak = Dictionary(grouping: before.filter(\.isConflict)) { $0.time / 10_000_000 }.values.map(\.count).max() ?? 0
        let rushConflicts = during.filter(\.isConflict)
        #expect(rushConflicts.count >= 300 && rushConflicts.count <= 1600, "\(rushConflicts.count) conflicts in the rush")
        #expect(rushConflicts.count >= 20 * max(1, trendPeak) * Int((Double(rush.upperBound - rush.lowerBound) / 1e7).rounded(.up)) / 10)
        // A dozen clients (from 198.18.0.0/15, where the simulator puts them), nobody seen
        // before the rush; the nine without a slot hammer on (a regular booker tries at most
        // three times); three of them got one.
        let rushers = Set(during.map(\.client).filter { $0.hasPrefix("198.18.") || $0.hasPrefix("198.19.") })
        #expect(rushers.count == 12)
        #expect(rushers.isDisjoint(with: before.map(\.client)))
        let hammering = Dictionary(grouping: during.filter { rushers.contains($0.client) }, by: \.client).filter { $0.value.count > 3 }
        #expect(hammering.count >= 9)
        #expect(during.filter { rushers.contains($0.client) && $0.status == 201 }.count == 3)
        #expect(Double(rushConflicts.filter { rushers.contains($0.client) }.count) / Double(rushConflicts.count) > 0.95)
        #expect(Double(rush.upperBound - rush.lowerBound) / 1e6 > 15 && Double(rush.upperBound - rush.lowerBound) / 1e6 < 26)
    }

    /// Workflow transitions conflict more and more as workers join; in the regression every
    /// transition answers 409, from many workers.
    @Test(arguments: [UInt64(1), 2, 3])
    func workflowConflictsRiseThenEveryTransitionFails(seed: UInt64) throws {
        let (requests, truth) = Self.run(.trendRegression, seed: seed)
        let e = try #require(truth.events.first)
        #expect(e.route == "/api/workflows/{id}/state" && e.requiredClasses == ["route_wide", "ratio_driven"])
        let regression = try Self.window(e)
        let start = try #require(EvaluationTime.micros(truth.start))
        let transitions = requests.filter { $0.method == "PATCH" && $0.path.hasPrefix("/api/workflows/") }
        #expect(transitions.allSatisfy { $0.path.hasSuffix("/state") })
        let during = transitions.filter { regression.contains($0.time) }
        #expect(during.count >= 40, "\(during.count) transitions in the regression")
        #expect(during.allSatisfy { $0.status == 409 })
        #expect(Set(during.map(\.client)).count >= 8)
        let before = transitions.filter { $0.time < regression.lowerBound }
        let windows = Self.perWindow(before, from: start, minutes: 5).dropLast()
        for k in 2..<windows.count { #expect(windows[k] >= windows[k - 2], "\(Array(windows))") }
        #expect(windows.last! >= 4 * max(1, windows.first!), "\(Array(windows))")
        // Before: a ratio well below 100%, so the regression is a change of ratio.
        let ratio = Double(before.suffix(300).filter(\.isConflict).count) / 300
        #expect(ratio > 0.05 && ratio < 0.6, "conflict ratio before the regression \(ratio)")
    }

    /// The storm's client is one among many conflicting clients on its route: a minority of
    /// the route's conflicts while it lasts, but all of the excess.
    @Test(arguments: [UInt64(1), 2, 3])
    func stormHidesAmongManyNormalConflicts(seed: UInt64) throws {
        let (requests, truth) = Self.run(.stormAmongConflicts, seed: seed)
        let e = try #require(truth.events.first)
        let client = try #require(e.client)
        #expect(e.route == "/api/counters/{id}" && e.requiredClasses == ["single_client"])
        let storm = try Self.window(e)
        let route = requests.filter { $0.isWrite && $0.path.hasPrefix("/api/counters/") }
        let mine = route.filter { $0.client == client }
        #expect(!mine.isEmpty && mine.allSatisfy { $0.status == 409 && $0.path == e.resource && storm.contains($0.time) })
        let others = route.filter { $0.client != client && $0.isConflict }
        let othersDuring = others.filter { storm.contains($0.time) }
        #expect(Set(othersDuring.map(\.client)).count >= 20)
        let share = Double(mine.count) / Double(mine.count + othersDuring.count)
        #expect(share > 0.15 && share < 0.6, "the storm's share of the route's conflicts: \(share)")
        // The others' rate is the same during the storm as in the quarter hour before: all the
        // excess is the storm's.
        let seconds = Double(storm.upperBound - storm.lowerBound) / 1e6
        let rateDuring = Double(othersDuring.count) / seconds
        let rateBefore = Double(others.filter { $0.time < storm.lowerBound && $0.time >= storm.lowerBound - 900_000_000 }.count) / 900
        #expect(abs(rateDuring - rateBefore) < 0.35 * rateBefore, "others' conflicts/s \(rateDuring) during, \(rateBefore) before")
    }

    /// The hour-long scenario: every incident after the warm-up, a few minutes apart, none
    /// overlapping another on its route, and the restart time inside an incident.
    @Test func realisticSpacesItsIncidentsAndRestartsMidIncident() throws {
        let (_, truth) = Self.run(.realistic, seed: 1)
        let events = try truth.events.map { try TimedEvent($0) }
        let start = try #require(EvaluationTime.micros(truth.start))
        #expect(events.count == 7)
        #expect(events.allSatisfy { $0.start >= start + 900_000_000 })
        for (a, b) in zip(events, events.dropFirst()) { #expect(a.start < b.start) }
        for a in events {
            for b in events where a.event.id < b.event.id && a.event.route == b.event.route {
                #expect(a.end < b.start || b.end < a.start, "\(a.event.id) and \(b.event.id) overlap on \(a.event.route)")
            }
        }
        let restart = try #require(truth.restartAt.flatMap(EvaluationTime.micros))
        let inside = events.filter { $0.start + 30_000_000 < restart && restart + 30_000_000 < $0.end }
        #expect(inside.count == 1, "restart at \(truth.restartAt ?? "?") is not well inside one incident")
    }

    @Test func restartAndQuietRoutesSurviveTheTruthFile() throws {
        let (_, truth) = Self.run(.realistic, seed: 3, seconds: 2400)
        let encoder = JSONEncoder()
        let data = try encoder.encode(truth)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"restart_at\""))
        #expect(text.contains("\"quiet_routes\""))
        #expect(text.contains("\"classes\""))
        #expect(try JSONDecoder().decode(GroundTruth.self, from: data) == truth)
        // A truth file from before classes, onset and restart_at still reads.
        let old = #"{"scenario":"x","seed":1,"log":"a","log_format":"combined","bucket_seconds":10,"start":"2025-11-24T16:00:00Z","end":"2025-11-24T16:30:00Z","events":[{"id":"e","kind":"burst","class":"route_wide","route":"/r","resource":null,"client":null,"start":"2025-11-24T16:10:00Z","end":"2025-11-24T16:11:00Z"}]}"#
        let parsed = try JSONDecoder().decode(GroundTruth.self, from: Data(old.utf8))
        #expect(parsed.restartAt == nil && parsed.quietRoutes == nil)
        #expect(parsed.events[0].requiredClasses == ["route_wide"])
    }
}
