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
        let out = tmp.file("received.jsonl"), portFile = tmp.file("port")
        let receiver = try BackgroundProcess(name: "receiver", executable: python,
                                             arguments: [receiverScript, "--out", out, "--port-file", portFile, "--fail", "2"],
                                             directory: tmp)
        defer { kill(receiver.processIdentifier, SIGTERM) }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            if port.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        }
        try #require(!port.isEmpty, "receiver did not start: \(receiver.stderrTail)")

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
}
