import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon tells a real HTTP receiver (Tests/Scripts/WebhookReceiver.py) about a retry
/// storm: "opened" while the storm goes on — through two 503s, retried with back-off — and
/// "closed" once quiet traffic follows, each body the stored alert plus its event.
@Suite(.serialized) struct WebhookTests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    let daemonTests = DaemonTests()
    var receiverScript: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/WebhookReceiver.py").path
    }

    func received(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func append(_ text: String, to log: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func stormIsPostedOpenedThenClosedThroughReceiverFailures() async throws {
        guard let python = TestEnvironment.requireTool(
            "python3", "the webhook receiver is a Python 3 script (standard library only); install python3") else { return }
        let tmp = try TemporaryDirectory(prefix: "cw-webhook")
        defer { tmp.remove() }
        let out = tmp.file("received.jsonl")
        let (receiver, port) = try await startReceiver(tmp, python: python, name: "receiver", out: out, extra: ["--fail", "2"])
        defer { kill(receiver.processIdentifier, SIGTERM) }

        let log = tmp.file("access.log")
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        try Data(daemonTests.traffic(start: t0, seconds: 600).utf8).write(to: URL(fileURLWithPath: log))
        let daemon = try await daemonTests.startDaemon(tmp, log: log, name: "daemon",
                                                       extra: ["--from-start", "--webhook", "http://127.0.0.1:\(port)/hook"])
        #expect(try await daemonTests.waitForStored(tmp, 2400) == 2400, "\(daemon.stderrTail)")
        #expect(received(out).isEmpty, "quiet traffic opens no alert: \(received(out))")

        // The storm: an "opened" arrives after two refused attempts (back-off 1 s, then 2 s).
        try append(daemonTests.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true), to: log)
        var posts: [[String: Any]] = []
        func opened() -> [[String: Any]] { posts.filter { $0["answered"] as? Int == 200 && $0["event_header"] as? String == "opened" } }
        for _ in 0..<150 where opened().isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            posts = received(out)
        }
        let first = try #require(opened().first, "no opened alert delivered: \(posts); \(daemon.stderrTail)")
        #expect(posts.prefix(3).map { $0["answered"] as? Int } == [503, 503, 200], "refused twice, then accepted: \(posts)")
        let body = try #require(first["body"] as? [String: Any])
        #expect(body["event"] as? String == "opened" && body["kind"] as? String == "burst" && body["end"] is NSNull)
        #expect(body["client"] as? String == "127.0.0.66" || (body["top_clients"] as? [[String: Any]])?.first?["client"] as? String == "127.0.0.66",
                "\(body)")
        #expect(first["content_type"] as? String == "application/json")
        let id = try #require(body["id"] as? String)
        let stderr = (try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? ""
        #expect(stderr.contains("webhook delivery failed; retrying"), "the retries are logged")

        // The alert the hook named is the stored one.
        let show = try ProcessRunner.run(bin, ["alerts", "show", id, "--state-dir", tmp.file("state"), "--format", "json"])
        #expect(show.succeeded, "\(show.summary)")

        // Quiet traffic afterwards closes it, and the receiver is told.
        try append(daemonTests.traffic(start: t0.addingTimeInterval(640), seconds: 180), to: log)
        func closed() -> [String: Any]? {
            posts.compactMap { $0["body"] as? [String: Any] }.first { $0["event"] as? String == "closed" && $0["id"] as? String == id }
        }
        for _ in 0..<150 where closed() == nil {
            try await Task.sleep(for: .milliseconds(100))
            posts = received(out)
        }
        let end = try #require(closed(), "no closed event for \(id): \(posts.count) posts; \(daemon.stderrTail)")
        #expect(end["end"] is String)
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
    }

    // MARK: the durable outbox across kill -9 and SIGTERM

    func startReceiver(_ tmp: TemporaryDirectory, python: String, name: String, out: String, port: String = "0",
                       extra: [String] = []) async throws -> (BackgroundProcess, String) {
        let portFile = tmp.file("\(name).port")
        let receiver = try BackgroundProcess(name: name, executable: python,
                                             arguments: [receiverScript, "--out", out, "--port-file", portFile, "--port", port] + extra,
                                             directory: tmp)
        var bound = ""
        for _ in 0..<100 where bound.isEmpty {
            bound = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if bound.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(!bound.isEmpty, "receiver \(name) did not start: \(receiver.stderrTail)")
        return (receiver, bound)
    }

    /// `webhooks pending|failed --format json`: the event ids, per receiver path.
    func outbox(_ tmp: TemporaryDirectory, _ list: String) throws -> [(path: String, eventID: String)] {
        let r = try ProcessRunner.run(bin, ["webhooks", list, "--state-dir", tmp.file("state"), "--format", "json"], timeout: 20)
        guard r.succeeded, let rows = try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] else {
            Issue.record("webhooks \(list): \(r.summary)")
            return []
        }
        return rows.compactMap { row in
            guard let url = row["receiver"] as? String, let id = row["event_id"] as? String else { return nil }
            return (URL(string: url)?.path ?? url, id)
        }
    }

    /// Waits until the outbox holds a closed event for /hook (the storm's alert opened and closed).
    func waitForOwedEvents(_ tmp: TemporaryDirectory, atLeast count: Int) async throws -> Set<String> {
        var owed: Set<String> = []
        for _ in 0..<200 {
            owed = Set(try outbox(tmp, "pending").filter { $0.path == "/hook" }.map(\.eventID))
            if owed.count >= count, owed.contains(where: { $0.hasSuffix("-closed") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return owed
    }

    func delivered(_ out: String) -> [String] {
        received(out).filter { $0["answered"] as? Int == 200 && $0["path"] as? String == "/hook" }
            .compactMap { ($0["body"] as? [String: Any])?["event_id"] as? String }
    }

    /// SPEC §8: every event reaches the receiver at least once although the daemon is killed
    /// (kill -9) and stopped (SIGTERM) while the receiver is down; a receiver that refuses (404)
    /// has its events given up, listed by `webhooks failed`.
    @Test func everyEventArrivesAcrossKillAndSigtermWhileTheReceiverIsDown() async throws {
        guard let python = TestEnvironment.requireTool(
            "python3", "the webhook receiver is a Python 3 script (standard library only); install python3") else { return }
        let tmp = try TemporaryDirectory(prefix: "cw-outbox")
        defer { tmp.remove() }
        let out = tmp.file("received.jsonl")
        // A free port for the receiver, which is then down (connections refused) until restarted on it.
        let probe = try await startReceiver(tmp, python: python, name: "probe", out: out)
        let port = probe.1
        _ = await probe.0.terminate()
        var receiver: BackgroundProcess
        let hooks = ["--webhook", "http://127.0.0.1:\(port)/hook", "--webhook", "http://127.0.0.1:\(port)/gone"]

        // Events produced while the receiver is down: a storm opens an alert, quiet traffic closes it.
        let log = tmp.file("access.log")
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        let first = daemonTests.traffic(start: t0, seconds: 600) + daemonTests.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)
            + daemonTests.traffic(start: t0.addingTimeInterval(640), seconds: 180)
        try Data(first.utf8).write(to: URL(fileURLWithPath: log))
        var daemon = try await daemonTests.startDaemon(tmp, log: log, name: "killed", extra: ["--from-start"] + hooks)
        let owed1 = try await waitForOwedEvents(tmp, atLeast: 2)
        #expect(owed1.contains { $0.hasSuffix("-opened") } && owed1.contains { $0.hasSuffix("-closed") }, "\(owed1); \(daemon.stderrTail)")
        kill(daemon.processIdentifier, SIGKILL)
        _ = await daemon.waitForExit(timeout: 10)

        // The receiver is back, then the daemon: the killed run's events arrive.
        (receiver, _) = try await startReceiver(tmp, python: python, name: "receiver1", out: out, port: port, extra: ["--reject-path", "/gone"])
        daemon = try await daemonTests.startDaemon(tmp, log: log, name: "restarted", extra: hooks)
        let restarted = ContinuousClock.now
        for _ in 0..<200 where !owed1.isSubset(of: Set(delivered(out))) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(owed1.isSubset(of: Set(delivered(out))), "after kill -9: \(owed1) owed, \(delivered(out)) delivered; \(daemon.stderrTail)")
        print("webhook outbox: kill -9 with the receiver down: \(owed1.count) events owed, \(Set(delivered(out)).intersection(owed1).count) delivered "
              + "(\(delivered(out).count) posts) \(ContinuousClock.now - restarted) after the restart")
        #expect(received(out).allSatisfy { ($0["body"] as? [String: Any])?["event_id"] as? String == $0["event_id_header"] as? String },
                "X-Conflictwatch-Event-Id is the body's event_id")
        // /gone answered 404: given up at once, kept and listed.
        var failed: [(path: String, eventID: String)] = []
        for _ in 0..<100 where Set(failed.map(\.eventID)) != owed1 {
            failed = try outbox(tmp, "failed")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(Set(failed.map(\.eventID)) == owed1 && failed.allSatisfy { $0.path == "/gone" }, "\(failed)")
        let table = try ProcessRunner.run(bin, ["webhooks", "failed", "--state-dir", tmp.file("state")])
        #expect(table.succeeded && String(decoding: table.stdout, as: UTF8.self).contains("HTTP 404"), "\(table.summary)")
        // `webhooks retry` queues them again; the running daemon sends them (and gives up again on the 404).
        func gonePosts() -> Int { received(out).filter { $0["path"] as? String == "/gone" }.count }
        let goneBefore = gonePosts()
        let retry = try ProcessRunner.run(bin, ["webhooks", "retry", "--all", "--state-dir", tmp.file("state")])
        #expect(retry.succeeded && String(decoding: retry.stdout, as: UTF8.self) == "\(owed1.count) webhook deliveries queued again.\n",
                "\(retry.summary)")
        for _ in 0..<100 where gonePosts() < goneBefore + owed1.count { try await Task.sleep(for: .milliseconds(100)) }
        #expect(gonePosts() == goneBefore + owed1.count, "retried once each")

        // The receiver goes down again; a second storm; SIGTERM (within SPEC's 5 s) leaves its events owed.
        _ = await receiver.terminate()
        let before = Set(delivered(out))
        try append(daemonTests.traffic(start: t0.addingTimeInterval(820), seconds: 40, storm: true)
                   + daemonTests.traffic(start: t0.addingTimeInterval(860), seconds: 180), to: log)
        var owed2: Set<String> = []
        for _ in 0..<200 {
            owed2 = Set(try outbox(tmp, "pending").filter { $0.path == "/hook" }.map(\.eventID)).subtracting(before)
            if owed2.contains(where: { $0.hasSuffix("-closed") }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!owed2.isEmpty && owed2.isDisjoint(with: owed1), "\(owed2); \(daemon.stderrTail)")
        let stopping = ContinuousClock.now
        let stopped = await daemon.terminate(timeout: 10)
        let stopTook = ContinuousClock.now - stopping
        #expect(stopped.status == 0 && stopTook < .seconds(5), "\(stopped.summary) after \(stopTook)")
        #expect(Set(try outbox(tmp, "pending").filter { $0.path == "/hook" }.map(\.eventID)) == owed2, "SIGTERM leaves them in the store")

        (receiver, _) = try await startReceiver(tmp, python: python, name: "receiver2", out: out, port: port, extra: ["--reject-path", "/gone"])
        defer { kill(receiver.processIdentifier, SIGTERM) }
        daemon = try await daemonTests.startDaemon(tmp, log: log, name: "third", extra: hooks)
        for _ in 0..<200 where !owed2.isSubset(of: Set(delivered(out))) { try await Task.sleep(for: .milliseconds(100)) }
        let all = owed1.union(owed2)
        let posts = delivered(out)
        #expect(all.isSubset(of: Set(posts)), "\(all.subtracting(posts)) never delivered; \(daemon.stderrTail)")
        print("webhook outbox: SIGTERM (took \(stopTook)) with the receiver down: \(owed2.count) owed, \(Set(posts).intersection(owed2).count) delivered; "
              + "in all \(all.count) events, \(Set(posts).intersection(all).count) delivered, \(posts.count - Set(posts).count) duplicates: \(all.sorted())")
        // The receiver records a POST before it answers; the daemon deletes the row on the answer.
        for _ in 0..<50 where try !outbox(tmp, "pending").isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try outbox(tmp, "pending").isEmpty)
        // Checked against the stored alerts too, not only against what the outbox listed.
        let list = try ProcessRunner.run(bin, ["alerts", "--state-dir", tmp.file("state"), "--format", "json"])
        let alerts = try #require(try JSONSerialization.jsonObject(with: list.stdout) as? [[String: Any]], "\(list.summary)")
        // The second storm hits the same order: the alert is reopened, or a new one is opened.
        #expect(!alerts.isEmpty && owed2.contains { $0.hasSuffix("-reopened") || $0.hasSuffix("-opened") }, "\(alerts.count) alerts; \(owed2)")
        for alert in alerts {
            let id = try #require(alert["id"] as? String)
            let mine = posts.filter { $0.hasPrefix(id + "/") }
            #expect(mine.contains { $0.hasSuffix("-opened") }, "\(id): \(mine)")
            if alert["end"] is String { #expect(mine.contains { $0.hasSuffix("-closed") }, "\(id): \(mine)") }
        }
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
    }
}
