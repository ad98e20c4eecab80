import ConflictWatchTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `conflictwatch silence add|list|expire` in real processes (SPEC §6), on the embedded store,
/// and with a running daemon: the flag on `alerts`, `--hide-silenced`, and the daemon following
/// a silence added by the CLI.
@Suite(.serialized) struct SilenceTests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    let daemonTests = DaemonTests()

    func json(_ r: ProcessResult) throws -> Any {
        try JSONSerialization.jsonObject(with: r.stdout)
    }

    func alerts(_ state: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let r = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json"] + extra)
        #expect(r.succeeded, "\(r.summary)")
        return try #require(try json(r) as? [[String: Any]])
    }

    @Test func addListExpireOnAStoreThatDidNotExist() throws {
        let tmp = try TemporaryDirectory(prefix: "cw-silence-cli")
        defer { tmp.remove() }
        let state = tmp.file("state")
        let none = try ProcessRunner.run(bin, ["silence", "list", "--state-dir", state])
        #expect(none.succeeded && none.stdoutText.contains("none active"), "\(none.summary)")
        #expect(!FileManager.default.fileExists(atPath: state + "/conflictwatch.sqlite"), "listing creates nothing")

        let add = try ProcessRunner.run(bin, ["silence", "add", "--state-dir", state, "--route", "/api/orders/*", "--kind", "burst",
                                              "--for", "2h", "--comment", "deploy 4121", "--author", "ops", "--format", "json"])
        #expect(add.succeeded, "\(add.summary)")
        let silence = try #require(try json(add) as? [String: Any])
        let id = try #require(silence["id"] as? String)
        #expect(id.hasPrefix("s-") && id.count == 14)
        let matchers = try #require(silence["matchers"] as? [String: Any])
        #expect(matchers["route"] as? String == "/api/orders/*" && matchers["kind"] as? String == "burst" && matchers["client"] is NSNull)
        #expect(silence["comment"] as? String == "deploy 4121" && silence["author"] as? String == "ops" && silence["expired"] as? Bool == false)
        for key in ["created", "starts", "ends"] { #expect((silence[key] as? String)?.hasSuffix("Z") == true, "\(key) in UTC") }
        #expect(FileManager.default.fileExists(atPath: state + "/conflictwatch.sqlite"), "add creates the store")

        let table = try ProcessRunner.run(bin, ["silence", "list", "--state-dir", state])
        #expect(table.succeeded && table.stdoutText.contains(id) && table.stdoutText.contains("route=/api/orders/* kind=burst"),
                "\(table.summary)")
        let expire = try ProcessRunner.run(bin, ["silence", "expire", id, "--state-dir", state])
        #expect(expire.succeeded && expire.stdoutText.contains("expired"), "\(expire.summary)")
        let active = try #require(try json(try ProcessRunner.run(bin, ["silence", "list", "--state-dir", state, "--format", "json"])) as? [Any])
        #expect(active.isEmpty)
        let all = try #require(try json(try ProcessRunner.run(bin, ["silence", "list", "--all", "--state-dir", state, "--format", "json"]))
                               as? [[String: Any]])
        #expect(all.map { $0["id"] as? String } == [id] && all.first?["expired"] as? Bool == true)
        let unknown = try ProcessRunner.run(bin, ["silence", "expire", "s-000000000000", "--state-dir", state])
        #expect(unknown.status == 1 && unknown.stderrText.contains("no silence s-000000000000"), "\(unknown.summary)")
    }

    @Test(arguments: [
        (["--route", "/x", "--for", "2h"], "--comment"),
        (["--route", "/x", "--comment", "why"], "--for"),
        (["--for", "2h", "--comment", "why"], "--route: give at least one matcher"),
        (["--route", "/x", "--for", "0m", "--comment", "why"], "--for: must be longer than 0"),
        (["--route", "/x", "--for", "91d", "--comment", "why"], "--for: at most 90d"),
        (["--route", "/x", "--for", "two hours", "--comment", "why"], "--for: expected a duration such as 30m, 2h"),
        (["--route", "/x", "--for", "2h", "--comment", "  "], "--comment: required"),
        (["--route", "/x", "--for", "2h", "--comment", "why", "--kind", "storm"], "--kind"),
    ])
    func addRefusesWhatItCannotUse(args: [String], message: String) throws {
        let tmp = try TemporaryDirectory(prefix: "cw-silence-usage")
        defer { tmp.remove() }
        let r = try ProcessRunner.run(bin, ["silence", "add", "--state-dir", tmp.file("state")] + args)
        #expect(r.status == 2, "\(args): \(r.summary)")
        #expect(r.stderrText.contains(message), "\(args): \(r.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: tmp.file("state")), "a refused command writes nothing")
    }

    @Test func helpExamplesFitIn80Columns() throws {
        for sub in ["add", "list", "expire"] {
            let r = try ProcessRunner.run(bin, ["silence", sub, "--help"])
            #expect(r.succeeded)
            #expect(r.stdoutText.contains("conflictwatch silence \(sub)"))
            for line in r.stdoutText.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("conflictwatch silence") {
                #expect(line.count <= 80, "\(sub): \(line)")
            }
        }
    }

    /// The daemon's own alerts: silenced by a silence the CLI adds while it runs (no lock
    /// needed), flagged in `alerts`, dropped by `--hide-silenced`, not counted open.
    @Test func daemonFollowsASilenceAddedByTheCLI() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-silence-daemon")
        defer { tmp.remove() }
        let state = tmp.file("state")
        let log = tmp.file("access.log")
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        try Data((daemonTests.traffic(start: t0, seconds: 600) + daemonTests.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)).utf8)
            .write(to: URL(fileURLWithPath: log))
        let daemon = try await daemonTests.startDaemon(tmp, log: log, name: "daemon", extra: ["--from-start", "--listen", "127.0.0.1:0"])
        var open: [[String: Any]] = []
        for _ in 0..<100 where open.isEmpty {
            open = try alerts(state, ["--open"])
            if open.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(!open.isEmpty, "the storm opened an alert: \(daemon.stderrTail)")
        #expect(open.allSatisfy { $0["silenced"] as? Bool == false })
        let port = try await daemon.apiPort(attempts: 100)

        let add = try ProcessRunner.run(bin, ["silence", "add", "--state-dir", state, "--route", "/api/orders/*", "--for", "1h",
                                              "--comment", "known storm"])
        #expect(add.succeeded, "while the daemon runs: \(add.summary)")
        var silenced: [[String: Any]] = []
        var openMetric = -1
        for _ in 0..<50 {
            silenced = try alerts(state, ["--open"]).filter { $0["silenced"] as? Bool == true }
            openMetric = try openAlertsMetric(port)
            if silenced.count == open.count && openMetric == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(silenced.count == open.count)
        #expect(openMetric == 0, "conflictwatch_open_alerts leaves silenced alerts out")
        let table = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--open"])
        #expect(table.stdoutText.contains("SILENCED") && table.stdoutText.contains("silenced"), "\(table.stdoutText)")
        #expect(try alerts(state, ["--open", "--hide-silenced"]).isEmpty)
        let api = try ProcessRunner.run(bin, ["alerts", "--server", "http://127.0.0.1:\(port)", "--open", "--format", "json"])
        #expect((try json(api) as? [[String: Any]])?.allSatisfy { $0["silenced"] as? Bool == true } == true, "\(api.summary)")

        // Through the daemon's API too: list, expire, and the alerts count again.
        let server = ["--server", "http://127.0.0.1:\(port)"]
        let listed = try #require(try json(try ProcessRunner.run(bin, ["silence", "list", "--format", "json"] + server)) as? [[String: Any]])
        let id = try #require(listed.first?["id"] as? String)
        let expired = try ProcessRunner.run(bin, ["silence", "expire", id] + server)
        #expect(expired.succeeded, "\(expired.summary)")
        for _ in 0..<50 {
            openMetric = try openAlertsMetric(port)
            if openMetric == open.count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(openMetric == open.count)
        let unsilenced = try alerts(state, ["--open", "--hide-silenced"])
        let nowOpen = try alerts(state, ["--open"])
        #expect(unsilenced.count == open.count, "\(unsilenced.map { $0["id"] ?? "" }) vs \(open.map { $0["id"] ?? "" }); \(nowOpen)")
        // Other processes wrote to the store while the daemon ran (the CLI's silence add): its
        // own commits must still reach the file everyone reads. (A process closing its connection
        // used to find the daemon unlocked, delete the WAL under it, and strand every later
        // commit in an unlinked file.)
        let before = try daemonTests.storedRequests(tmp)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try h.seekToEnd()
        try h.write(contentsOf: Data(daemonTests.traffic(start: t0.addingTimeInterval(640), seconds: 5).utf8))
        try h.close()
        #expect(try await daemonTests.waitForStored(tmp, before + 20) == before + 20, "\(daemon.stderrTail)")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
    }

    /// `sum(conflictwatch_open_alerts)`, or -1 when the daemon does not answer with the 8 series.
    func openAlertsMetric(_ port: Int) throws -> Int {
        let (code, body) = try DaemonAPITests().get("http://127.0.0.1:\(port)/metrics")
        guard code == 200 else { return -1 }
        // The gauge is labelled by kind and severity (all eight always present): its sum is the total.
        let values = String(decoding: body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("conflictwatch_open_alerts{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        return values.count == 8 ? Int(values.reduce(0, +)) : -1
    }
}
