import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fleet on a real PostgreSQL (SPEC §7; `make test` starts one, scripts/with_postgres.sh):
/// real `conflictwatch tail` agent processes, each following its own share of one traffic log
/// as web servers behind a round-robin load balancer would write it.
@Suite(.serialized) struct FleetTests {
    /// The fleet's PostgreSQL: a database of its own per test, made on the server `make test`
    /// started. Nil (with an issue recorded) when there is none.
    static func database(_ name: String) -> String? {
        guard let base = TestEnvironment.environment["CONFLICTWATCH_TEST_DATABASE_URL"], !base.isEmpty else {
            Issue.record("no PostgreSQL: run the tests with `make test` (scripts/with_postgres.sh starts one and sets CONFLICTWATCH_TEST_DATABASE_URL)")
            return nil
        }
        guard let psql = TestEnvironment.requireTool("psql", "apt-get install postgresql-client (make test-deps installs postgresql)") else { return nil }
        let db = "\(name)_\(UInt32.random(in: 0...UInt32.max))"
        guard let r = try? ProcessRunner.run(psql, [base, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE DATABASE \(db)"]), r.status == 0 else {
            Issue.record("cannot create database \(db) on \(base)")
            return nil
        }
        // The same server and options (sslmode), another database.
        let path = base.firstIndex(of: "?") ?? base.endIndex
        let slash = base[..<path].lastIndex(of: "/")!
        return String(base[...slash]) + db + String(base[path...])
    }

    static func psql(_ url: String, _ sql: String) -> String {
        guard let psql = ExecutableLocator.find("psql"), let r = try? ProcessRunner.run(psql, [url, "-At", "-c", sql]) else { return "" }
        return String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What the fleet's state and the agents' logs say, printed when a count is off: a CI
    /// failure must be explainable from its output alone.
    static func diagnose(_ url: String, _ agents: [BackgroundProcess], _ what: String) {
        print("fleet diagnosis (\(what)):")
        print("  streams (agent|incarnation|shipped_seq|clock|silent s): " + psql(url, """
            SELECT string_agg(agent || '|' || incarnation || '|' || shipped_seq || '|' || COALESCE(clock::text, '-') || '|'
                || round(EXTRACT(EPOCH FROM now() - last_seen)::numeric, 1), '; ' ORDER BY agent) FROM fleet_stream
            """))
        print("  state (holder|watermark|positions): " + psql(url, "SELECT holder || '|' || watermark || '|' || positions FROM fleet_state"))
        print("  summaries (agent|max seq|max clock|max last_time): " + psql(url, """
            SELECT string_agg(agent || '|' || s || '|' || c || '|' || COALESCE(t::text, '-'), '; ') FROM
            (SELECT agent, max(seq) s, max(clock) c, max(last_time) t FROM fleet_summary GROUP BY agent ORDER BY agent) x
            """))
        for a in agents {
            let text = (try? String(contentsOfFile: a.stderrPath, encoding: .utf8)) ?? ""
            let tail = text.split(separator: "\n").suffix(12)
            print("  \(a.stderrPath.split(separator: "/").last ?? ""):\n" + tail.map { "    " + $0 }.joined(separator: "\n"))
        }
    }

    /// Deals `lines` round-robin to `hosts` files, as a load balancer would (appending).
    static func deal(_ lines: ArraySlice<Substring>, into files: [String], offset: Int) throws {
        var shares = Array(repeating: "", count: files.count)
        for (i, line) in lines.enumerated() {
            shares[(i + offset) % files.count] += line + "\n"
        }
        for (f, text) in zip(files, shares) {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: f))
            try h.seekToEnd()
            try h.write(contentsOf: Data(text.utf8))
            try h.close()
        }
    }

    static func startAgent(_ bin: String, _ dir: TemporaryDirectory, _ i: Int, url: String, extra: [String] = []) throws -> BackgroundProcess {
        try BackgroundProcess(name: "agent\(i)-\(UUID().uuidString.prefix(4))", executable: bin, arguments: [
            "tail", "--state-dir", dir.file("state\(i)"), "--from-start", "--database-url", url, "--agent", "web\(i)",
        ] + extra + [dir.file("host\(i).log")], directory: dir)
    }

    /// The fleet's requests over every route.
    static func fleetRequests(_ bin: String, _ url: String) -> Int {
        guard let r = try? ProcessRunner.run(bin, ["routes", "--database-url", url, "--format", "json"]), r.status == 0,
              let rows = try? JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] else { return -1 }
        return rows.reduce(0) { $0 + (($1["requests"] as? Int) ?? 0) }
    }

    /// Waits until the fleet has counted `expected` requests; returns what it counted last.
    static func waitForRequests(_ bin: String, _ url: String, _ expected: Int, timeout: TimeInterval) async -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var n = -1
        while Date() < deadline {
            n = fleetRequests(bin, url)
            if n >= expected { return n }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return n
    }

    /// `evaluate --no-ranking` of an alerts JSON array against the truth: per event id, detected.
    static func detected(_ bin: String, truth: String, alerts: Data, dir: TemporaryDirectory, name: String) throws -> (events: [String: Bool], falseBursts: Int, matching: [String: Int]) {
        let file = dir.file("\(name).json")
        try alerts.write(to: URL(fileURLWithPath: file))
        let r = try ProcessRunner.run(bin, ["evaluate", "--truth", truth, file, "--no-ranking", "--format", "json"])
        let d = (try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any])?["detection"] as? [String: Any] ?? [:]
        var events: [String: Bool] = [:], matching: [String: Int] = [:]
        for e in d["events"] as? [[String: Any]] ?? [] {
            events[e["id"] as! String] = e["detected"] as? Bool ?? false
            matching[e["id"] as! String] = e["matching_alerts"] as? Int ?? 0
        }
        return (events, d["false_bursts"] as? Int ?? -1, matching)
    }

    @Test func eightAgentsFindEveryIncidentOnceWhereNoHostAloneFindsThemAll() async throws {
        guard let bin = TestEnvironment.requireBinary(), let url = Self.database("fleet8") else { return }
        let dir = try TemporaryDirectory(prefix: "cw-fleet8")
        defer { dir.remove() }
        let sim = try ProcessRunner.run(bin, ["simulate", "--scenario", "mixed", "--seed", "1", "--out", dir.file("sim")], timeout: 120)
        try #require(sim.status == 0)
        let log = try String(contentsOfFile: dir.file("sim/access.log"), encoding: .utf8)
        let lines = log.split(separator: "\n")
        let hosts = (0..<8).map { dir.file("host\($0).log") }
        for h in hosts { _ = FileManager.default.createFile(atPath: h, contents: nil) }
        try Self.deal(lines[...], into: hosts, offset: 0)

        // Every agent is given the same webhook, as one shared config would: the receiver must
        // hear the fleet's alerts, once each, and none of the eight hosts' own (its first
        // answer is a 503: the fleet's outbox retries).
        let hooks = WebhookTests()
        let python = try #require(TestEnvironment.requireTool("python3", "the webhook receiver is a Python 3 script; install python3"))
        let received = dir.file("received.jsonl")
        let (receiver, hookPort) = try await hooks.startReceiver(dir, python: python, name: "receiver", out: received, extra: ["--fail", "1"])
        defer { kill(receiver.processIdentifier, SIGTERM) }
        let hook = ["--webhook", "http://127.0.0.1:\(hookPort)/hook"]

        let started = Date()
        // The first agent serves the API: it shows the fleet's results, not its own eighth.
        let agents = try (0..<8).map { try Self.startAgent(bin, dir, $0, url: url, extra: hook + ($0 == 0 ? ["--listen", "127.0.0.1:0"] : [])) }
        let counted = await Self.waitForRequests(bin, url, lines.count, timeout: 240)
        let seconds = Date().timeIntervalSince(started)
        print("fleet of 8: \(lines.count) lines counted by the fleet in \(String(format: "%.1f", seconds)) s")
        #expect(counted == lines.count, "every request counted exactly once by the fleet's routes: \(counted) of \(lines.count); \(agents[0].stderrTail)")
        // One leader; every agent shipped.
        #expect(Self.psql(url, "SELECT count(*) FROM fleet_stream") == "8")
        #expect(Self.psql(url, "SELECT sum(records) FROM fleet_summary") == "\(lines.count)")
        try? await Task.sleep(for: .seconds(2))

        let fleetAlerts = try ProcessRunner.run(bin, ["alerts", "--database-url", url, "--format", "json"])
        try #require(fleetAlerts.status == 0)
        let single = try ProcessRunner.run(bin, ["analyze", "--format", "json", dir.file("sim/access.log")], timeout: 120)
        let singleAlerts = (try JSONSerialization.jsonObject(with: single.stdout) as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
        let fleetList = try JSONSerialization.jsonObject(with: fleetAlerts.stdout) as? [[String: Any]] ?? []
        // The same alerts as one daemon reading the whole log, each naming the agents it came through.
        #expect(Set(fleetList.compactMap { $0["id"] as? String }) == Set(singleAlerts.compactMap { $0["id"] as? String }))
        #expect(fleetList.allSatisfy { (($0["agents"] as? [String]) ?? []).count >= 2 })

        // The receiver hears each fleet alert open exactly once, from the agent holding the
        // aggregator role, and nothing else opened: no host's own alert.
        let ids = Set(fleetList.compactMap { $0["id"] as? String })
        func openedPosts() -> [[String: Any]] {
            hooks.received(received).filter { $0["answered"] as? Int == 200 && $0["event_header"] as? String == "opened" }
        }
        _ = await Self.waitFor(30) { Set(openedPosts().compactMap { ($0["body"] as? [String: Any])?["id"] as? String }).isSuperset(of: ids) }
        let opened = openedPosts()
        let openedIDs = opened.compactMap { ($0["body"] as? [String: Any])?["id"] as? String }
        #expect(!ids.isEmpty && Set(openedIDs) == ids && openedIDs.count == ids.count,
                "one opened per fleet alert: \(openedIDs.sorted()) vs \(ids.sorted()); \(agents[0].stderrTail)")
        #expect(opened.allSatisfy { (($0["body"] as? [String: Any])?["agents"] as? [String] ?? []).count >= 2 }, "the bodies name the agents")
        #expect(hooks.received(received).first?["answered"] as? Int == 503, "the first attempt was refused and retried")
        #expect(await Self.waitFor(5) { Self.psql(url, "SELECT count(*) FROM fleet_webhook_delivery WHERE kind = 'opened'") == "0" },
                "delivered rows are deleted")
        let failed = try ProcessRunner.run(bin, ["webhooks", "failed", "--database-url", url])
        #expect(failed.status == 0 && failed.stdoutText == "No webhook deliveries given up.\n", "\(failed.stdoutText)\(failed.stderrText)")

        // One alert in full, and the list narrowed to one agent, read the same database.
        let firstID = try #require(fleetList.first?["id"] as? String)
        let shown = try ProcessRunner.run(bin, ["alerts", "show", firstID, "--database-url", url, "--format", "json"])
        let one = try JSONSerialization.jsonObject(with: shown.stdout) as? [String: Any]
        #expect(one?["id"] as? String == firstID && (one?["agents"] as? [String]) == (fleetList.first?["agents"] as? [String]))
        let narrowed = try ProcessRunner.run(bin, ["alerts", "--database-url", url, "--agent", "web5", "--format", "json"])
        let web5 = try JSONSerialization.jsonObject(with: narrowed.stdout) as? [[String: Any]] ?? []
        #expect(!web5.isEmpty && web5.allSatisfy { (($0["agents"] as? [String]) ?? []).contains("web5") })
        #expect(web5.count == fleetList.filter { (($0["agents"] as? [String]) ?? []).contains("web5") }.count)
        let hot = try ProcessRunner.run(bin, ["hotspots", "--database-url", url, "--format", "json"])
        #expect(hot.status == 0 && (try? JSONSerialization.jsonObject(with: hot.stdout) as? [Any]) != nil)

        // An agent's API and the report read the fleet too (ids compared: an open alert may
        // close between two reads).
        let port = try await agents[0].apiPort(attempts: 100)
        let viaAPI = try ProcessRunner.run(bin, ["alerts", "--server", "http://127.0.0.1:\(port)", "--format", "json"])
        let apiList = try JSONSerialization.jsonObject(with: viaAPI.stdout) as? [[String: Any]] ?? []
        #expect(Set(apiList.compactMap { $0["id"] as? String }) == ids, "an agent's API shows the fleet's alerts: \(viaAPI.stderrText)")
        let apiRoutes = try ProcessRunner.run(bin, ["routes", "--server", "http://127.0.0.1:\(port)", "--format", "json"])
        let routeRows = try JSONSerialization.jsonObject(with: apiRoutes.stdout) as? [[String: Any]] ?? []
        #expect(routeRows.reduce(0) { $0 + (($1["requests"] as? Int) ?? 0) } == lines.count, "and the fleet's routes, every request")
        let report = try ProcessRunner.run(bin, ["report", "--database-url", url, "--out", dir.file("fleet.html")], timeout: 60)
        #expect(report.status == 0, "\(report.stderrText)")
        let html = (try? String(contentsOfFile: dir.file("fleet.html"), encoding: .utf8)) ?? ""
        #expect(!ids.isEmpty && ids.allSatisfy { html.contains("\"\($0)\"") }, "the fleet's report holds every fleet alert")
        #expect(html.contains("\"step_seconds\":10") || html.contains("\"step_seconds\" : 10"), "and the fleet's per-bucket chart")
        // The fleet's silences: set with the CLI on the database, listed and expired through the
        // agent's API (which decide over the fleet's alerts: FleetSilencesTests).
        let added = try ProcessRunner.run(bin, ["silence", "add", "--route", "/api/*", "--for", "1h", "--comment", "fleet test",
                                                "--database-url", url, "--format", "json"])
        let sid = try #require((try? JSONSerialization.jsonObject(with: added.stdout) as? [String: Any])?["id"] as? String, "\(added.stderrText)")
        let listed = try ProcessRunner.run(bin, ["silence", "list", "--server", "http://127.0.0.1:\(port)", "--format", "json"])
        #expect(((try? JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == [sid])
        let expired = try ProcessRunner.run(bin, ["silence", "expire", sid, "--server", "http://127.0.0.1:\(port)"])
        #expect(expired.status == 0 && Self.psql(url, "SELECT count(*) FROM fleet_silence WHERE ends <= created") == "0"
                && Self.psql(url, "SELECT count(*) FROM fleet_silence") == "1", "\(expired.stderrText)")
        let active = try ProcessRunner.run(bin, ["silence", "list", "--database-url", url, "--format", "json"])
        #expect(((try? JSONSerialization.jsonObject(with: active.stdout) as? [Any]) ?? [0]).isEmpty, "expired through the agent: none active")

        let truth = dir.file("sim/truth.json")
        let fleet = try Self.detected(bin, truth: truth, alerts: fleetAlerts.stdout, dir: dir, name: "fleet")
        #expect(!fleet.events.isEmpty && fleet.events.values.allSatisfy { $0 }, "the fleet finds every injected incident: \(fleet.events)")
        #expect(fleet.falseBursts == 0)

        // Every agent stops cleanly: agent 0 read the fleet through its API and, leading, sent
        // its webhooks through another reader; either connection left open at exit crashed a
        // debug build (PostgresNIO asserts a connection is closed before it goes).
        var ends: [ProcessResult] = []
        for a in agents { ends.append(await a.terminate()) }
        let unclean = ends.filter { !$0.succeeded }.map(\.summary)
        #expect(unclean.isEmpty, "every agent exits 0 on SIGTERM: \(unclean)")
        let allEvents = hooks.received(received).filter { $0["answered"] as? Int == 200 }.compactMap { $0["event_id_header"] as? String }
        #expect(Set(allEvents).count == allEvents.count, "no event delivered twice: \(allEvents.sorted())")
        #expect(allEvents.allSatisfy { ids.contains(String($0.prefix { $0 != "/" })) }, "every event is a fleet alert's: \(allEvents.sorted())")
        // Each host alone, from its own store: some incident escapes every one of them.
        var foundByAHost: Set<String> = []
        var perHostAlerts = 0
        for i in 0..<8 {
            let own = try ProcessRunner.run(bin, ["alerts", "--state-dir", dir.file("state\(i)"), "--format", "json"])
            perHostAlerts += (try JSONSerialization.jsonObject(with: own.stdout) as? [Any])?.count ?? 0
            let host = try Self.detected(bin, truth: truth, alerts: own.stdout, dir: dir, name: "host\(i)")
            for (id, found) in host.events where found { foundByAHost.insert(id) }
        }
        let onlyTheFleet = Set(fleet.events.filter(\.value).keys).subtracting(foundByAHost)
        print("fleet of 8: fleet alerts \(fleetList.count), per-host alerts \(perHostAlerts); found by the fleet only: \(onlyTheFleet.sorted())")
        #expect(!onlyTheFleet.isEmpty, "an incident no single host finds alone")
    }
}

extension FleetTests {
    /// A web server that gets no traffic at all (drained from the balancer, a standby) runs an
    /// agent too: it must not stop the fleet. It has no clock to hold the watermark with; the
    /// fleet waits for its first exchange for `--agent-timeout` at most (a starting agent is about
    /// to read its share), then goes on without it. It held the fleet at 1970 before.
    ///
    /// Over TLS, verified as libpq's verify-full does (the test server's certificate names
    /// localhost): the agents' shipping, their aggregator and the CLI's queries all connect so.
    /// An agent whose API has read the fleet (its own PostgreSQL connection for queries) stops
    /// on SIGTERM with exit 0: the connection is closed once the services have stopped. Left
    /// open, the debug build died on PostgresNIO's assertion with SIGILL (and a CI run hung on
    /// the crashed child).
    @Test func anAgentWhoseAPIReadTheFleetStopsCleanly() async throws {
        guard let bin = TestEnvironment.requireBinary(), let url = Self.database("fleetstop") else { return }
        let dir = try TemporaryDirectory(prefix: "cw-fleetstop")
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.file("host0.log"), contents: nil)
        let agent = try Self.startAgent(bin, dir, 0, url: url, extra: ["--listen", "127.0.0.1:0"])
        defer { kill(agent.processIdentifier, SIGKILL) }
        let port = try await agent.apiPort(attempts: 100)
        let read = try ProcessRunner.run(bin, ["alerts", "--server", "http://127.0.0.1:\(port)", "--format", "json"])
        #expect(read.status == 0 && read.stdoutText.hasPrefix("["), "\(read.summary)")
        let sessions = Int(Self.psql(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) ?? 0
        #expect(sessions >= 2, "the shipper and the API's reader, at least: \(sessions)")
        let end = await agent.terminate(timeout: 15)
        #expect(end.succeeded, "exit 0 on SIGTERM: \(end.summary)")
    }

    @Test func anAgentWithoutTrafficDoesNotStopTheFleet() async throws {
        guard let bin = TestEnvironment.requireBinary(), let plain = Self.database("fleetidle") else { return }
        guard let root = TestEnvironment.environment["CONFLICTWATCH_TEST_PG_ROOTCERT"] else {
            Issue.record("no CONFLICTWATCH_TEST_PG_ROOTCERT: run the tests with `make test` (scripts/with_postgres.sh)")
            return
        }
        let url = plain.replacingOccurrences(of: "@127.0.0.1:", with: "@localhost:")
            .replacingOccurrences(of: "sslmode=disable", with: "sslmode=verify-full&sslrootcert=" + root)
        #expect(url.contains("verify-full") && url.contains("@localhost:"), "\(url)")
        let dir = try TemporaryDirectory(prefix: "cw-fleetidle")
        defer { dir.remove() }
        let sim = try ProcessRunner.run(bin, ["simulate", "--scenario", "steady", "--seed", "2", "--out", dir.file("sim")], timeout: 120)
        try #require(sim.status == 0)
        let lines = try String(contentsOfFile: dir.file("sim/access.log"), encoding: .utf8).split(separator: "\n")
        let hosts = (0..<2).map { dir.file("host\($0).log") }
        for h in hosts { _ = FileManager.default.createFile(atPath: h, contents: nil) }
        // web1, the idle one, starts first and leads (nothing else is running yet).
        let idle = try Self.startAgent(bin, dir, 1, url: url, extra: ["--agent-timeout", "3"])
        defer { kill(idle.processIdentifier, SIGKILL) }
        let leading = await Self.waitFor(30) { !Self.psql(url, "SELECT 1 FROM fleet_stream WHERE agent = 'web1'").isEmpty }
        #expect(leading, "web1 reported")
        try Self.deal(lines[...], into: [hosts[0]], offset: 0)
        let busy = try Self.startAgent(bin, dir, 0, url: url, extra: ["--agent-timeout", "3"])
        defer { kill(busy.processIdentifier, SIGKILL) }
        let counted = await Self.waitForRequests(bin, url, lines.count, timeout: 90)
        #expect(counted == lines.count, "the fleet counted \(counted) of \(lines.count) with an idle agent in it")
        if counted != lines.count { Self.diagnose(url, [idle, busy], "an idle agent") }
        #expect(Self.psql(url, "SELECT count(*) FROM fleet_stream") == "2")
        // Every connection to the fleet's database is encrypted: the agents' and this psql's.
        let sessions = "FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE datname = current_database()"
        #expect(Self.psql(url, "SELECT count(*) \(sessions) AND NOT ssl") == "0")
        #expect(Int(Self.psql(url, "SELECT count(*) \(sessions) AND ssl")) ?? 0 >= 3, "two agents' shippers and a leader, at least")
        _ = await busy.terminate()
        _ = await idle.terminate()
    }

    /// The stream names of agents, and the leader's name as its state says.
    static func holder(_ url: String) -> String { psql(url, "SELECT holder FROM fleet_state") }

    static func waitFor(_ timeout: TimeInterval, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(300))
        }
        return condition()
    }

    @Test func nothingIsLostOrDoubledThroughAKilledAggregatorAPostgreSQLOutageAndAnAgentThatDies() async throws {
        guard let bin = TestEnvironment.requireBinary(), let url = Self.database("fleetfaults") else { return }
        guard let pgctl = TestEnvironment.environment["CONFLICTWATCH_TEST_PG_CTL"], !pgctl.isEmpty else {
            Issue.record("CONFLICTWATCH_TEST_PG_CTL is not set: run the tests with `make test` (scripts/with_postgres.sh)")
            return
        }
        let dir = try TemporaryDirectory(prefix: "cw-fleetfaults")
        defer { dir.remove() }
        let sim = try ProcessRunner.run(bin, ["simulate", "--scenario", "steady", "--seed", "3", "--out", dir.file("sim")], timeout: 120)
        try #require(sim.status == 0)
        let lines = try String(contentsOfFile: dir.file("sim/access.log"), encoding: .utf8).split(separator: "\n")
        let n = 4
        let hosts = (0..<n).map { dir.file("host\($0).log") }
        for h in hosts { _ = FileManager.default.createFile(atPath: h, contents: nil) }
        let quarter = lines.count / 4
        let phases = [lines[0..<quarter], lines[quarter..<2 * quarter], lines[2 * quarter..<3 * quarter], lines[(3 * quarter)...]]
        var agents = try (0..<n).map { try Self.startAgent(bin, dir, $0, url: url, extra: ["--agent-timeout", "5"]) }
        defer { for a in agents { kill(a.processIdentifier, SIGKILL) } }

        // 1. A quarter of the traffic; then kill -9 whichever agent leads, mid-run.
        try Self.deal(phases[0], into: hosts, offset: 0)
        var counted = await Self.waitForRequests(bin, url, quarter, timeout: 120)
        #expect(counted == quarter, "phase 1: \(counted) of \(quarter)")
        if counted != quarter { Self.diagnose(url, agents, "phase 1") }
        let first = Self.holder(url)
        let leader = try #require(Int(first.dropFirst(3)), "a leader named webN: '\(first)'")
        kill(agents[leader].processIdentifier, SIGKILL)
        try Self.deal(phases[1], into: hosts, offset: phases[0].count)
        let tookOver = await Self.waitFor(60) { let h = Self.holder(url); return !h.isEmpty && h != first }
        #expect(tookOver, "another agent took the aggregator role from the killed \(first)")
        print("fleet faults: \(first) killed; \(Self.holder(url)) took over")
        // The killed agent comes back (its share of phase 2 is still unread or unshipped).
        agents[leader] = try Self.startAgent(bin, dir, leader, url: url, extra: ["--agent-timeout", "5"])
        counted = await Self.waitForRequests(bin, url, 2 * quarter, timeout: 120)
        #expect(counted == 2 * quarter, "after the takeover: \(counted) of \(2 * quarter)")
        if counted != 2 * quarter { Self.diagnose(url, agents, "after the takeover") }

        // 2. PostgreSQL away for 30 s while the traffic goes on.
        let stop = try ProcessRunner.run(pgctl, ["stop"], timeout: 60)
        #expect(stop.status == 0, "stopping PostgreSQL: \(String(decoding: stop.stderr, as: UTF8.self))")
        try Self.deal(phases[2], into: hosts, offset: 2 * quarter)
        try? await Task.sleep(for: .seconds(30))
        let start = try ProcessRunner.run(pgctl, ["start"], timeout: 60)
        #expect(start.status == 0, "starting PostgreSQL again: \(String(decoding: start.stderr, as: UTF8.self))")
        let outageStart = Date()
        counted = await Self.waitForRequests(bin, url, 3 * quarter, timeout: 120)
        #expect(counted == 3 * quarter, "after the outage: \(counted) of \(3 * quarter)")
        if counted != 3 * quarter { Self.diagnose(url, agents, "after the outage") }
        print("fleet faults: caught up \(String(format: "%.1f", Date().timeIntervalSince(outageStart))) s after PostgreSQL came back")

        // 3. The last agent dies for good before the last quarter: the rest goes on once it is
        // dropped from the watermark; its own share is never read, nothing else is missing.
        kill(agents[n - 1].processIdentifier, SIGKILL)
        try Self.deal(phases[3], into: hosts, offset: 3 * quarter)
        let lost = phases[3].indices.filter { ($0 - phases[3].startIndex + 3 * quarter) % n == n - 1 }.count
        let expected = lines.count - lost
        counted = await Self.waitForRequests(bin, url, expected, timeout: 120)
        #expect(counted == expected, "with web\(n - 1) dead: \(counted), expected \(expected)")
        if counted != expected { Self.diagnose(url, agents, "with an agent dead") }
        try? await Task.sleep(for: .seconds(2))
        #expect(Self.fleetRequests(bin, url) == expected, "and not more later")
        #expect(Self.psql(url, "SELECT sum(records) FROM fleet_summary") == "\(expected)", "every summary stored once")
        var said = false
        for (i, a) in agents.enumerated() where i != n - 1 {
            if let text = try? String(contentsOfFile: a.stderrPath, encoding: .utf8), text.contains("dropped from the watermark") { said = true }
        }
        #expect(said, "the leader's log says the dead agent was dropped")
        for a in agents { _ = await a.terminate() }
    }
}
