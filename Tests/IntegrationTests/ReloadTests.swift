import ConflictWatchTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGHUP (reopen files; with `run --config`, read the file again) keeps the open alerts open:
/// no `closed` event, the same ids still open afterwards (issue 13: a reload used to close all
/// 45 open alerts and send 45 "closed" webhooks).
@Suite(.serialized) struct ReloadTests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    let daemonTests = DaemonTests()

    /// `conflictwatch_alerts_opened_total` summed over its labels, from the daemon's `/metrics`.
    func alertsOpened(port: Int) throws -> Double? {
        let (code, body) = try DaemonAPITests().get("http://127.0.0.1:\(port)/metrics")
        guard code == 200 else { return nil }
        return String(decoding: body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("conflictwatch_alerts_opened_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    func openIDs(_ state: String) throws -> Set<String> {
        let r = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--open", "--format", "json"])
        let rows = (try? JSONSerialization.jsonObject(with: r.stdout)) as? [[String: Any]] ?? []
        return Set(rows.compactMap { $0["id"] as? String })
    }

    /// The events owed to the (unreachable) receiver: every event the daemon produced.
    func owedEvents(_ state: String) throws -> [String] {
        let r = try ProcessRunner.run(bin, ["webhooks", "pending", "--state-dir", state, "--format", "json"])
        let rows = (try? JSONSerialization.jsonObject(with: r.stdout)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["event_id"] as? String }
    }

    /// `tail` reopens its files; `run` reads its config again: unchanged; another source (the
    /// model goes on as it is); another `alpha` (the model continues from its snapshot under
    /// it); another `bucket_seconds` (the snapshot cannot continue: the running configuration is
    /// kept until a restart).
    enum Mode: String, CaseIterable, Sendable { case tail, runSameConfig, runChangedSources, runChangedAlpha, runChangedBucket }

    var defaultModel: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("models/default.json").path
    }

    @Test(arguments: Mode.allCases)
    func sighupKeepsOpenAlertsOpen(mode: Mode) async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-reload")
        defer { tmp.remove() }
        let state = tmp.file("state"), log = tmp.file("access.log"), other = tmp.file("other.log")
        #expect(FileManager.default.createFile(atPath: other, contents: nil))
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        try Data((daemonTests.traffic(start: t0, seconds: 600) + daemonTests.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)).utf8)
            .write(to: URL(fileURLWithPath: log))
        // Port 9 (discard) refuses: every event stays in the outbox, where it can be read.
        let hook = "http://127.0.0.1:9/hook"
        let conf = tmp.file("config.yaml")
        let model = tmp.file("model.json")
        let defaults = try String(contentsOfFile: defaultModel, encoding: .utf8)
        try defaults.write(toFile: model, atomically: true, encoding: .utf8)
        func writeConfig(_ paths: [String]) throws {
            var text = "state_dir: \(state)\nfrom_start: true\nlisten: 127.0.0.1:0\nmodel: \(model)\nwebhooks:\n  - \(hook)\nsources:\n"
            for p in paths { text += "  - path: \(p)\n    format: combined\n" }
            try text.write(toFile: conf, atomically: true, encoding: .utf8)
        }
        let daemon: BackgroundProcess
        if mode == .tail {
            daemon = try await daemonTests.startDaemon(tmp, log: log, name: "daemon",
                                                       extra: ["--from-start", "--webhook", hook, "--listen", "127.0.0.1:0"])
        } else {
            try writeConfig([log])
            daemon = try BackgroundProcess(name: "daemon", executable: bin, arguments: ["run", "--config", conf], directory: tmp)
        }
        var open: Set<String> = []
        for _ in 0..<150 where open.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            open = try openIDs(state)
        }
        try #require(!open.isEmpty, "the storm opened alerts: \(daemon.stderrTail)")
        // Settled: what the storm opens is committed (a second of flushes with nothing new).
        try await Task.sleep(for: .milliseconds(1500))
        open = try openIDs(state)
        let before = try owedEvents(state)
        #expect(!before.contains { $0.hasSuffix("closed") }, "\(before)")
        let port = try await daemon.apiPort(attempts: 100)
        let openedBefore = try alertsOpened(port: port)
        #expect((openedBefore ?? 0) >= Double(open.count), "\(mode): /metrics counts the opened alerts")

        switch mode {
        case .tail, .runSameConfig: break
        case .runChangedSources: try writeConfig([log, other])
        case .runChangedAlpha:
            try defaults.replacingOccurrences(of: "\"alpha\": 0.0001", with: "\"alpha\": 0.0002").write(toFile: model, atomically: true, encoding: .utf8)
        case .runChangedBucket:
            try defaults.replacingOccurrences(of: "\"bucket_seconds\": 10", with: "\"bucket_seconds\": 20").write(toFile: model, atomically: true, encoding: .utf8)
        }
        kill(daemon.processIdentifier, SIGHUP)
        for _ in 0..<30 {
            let err = (try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? ""
            if err.contains("SIGHUP") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(1500))
        let after = try owedEvents(state)
        #expect(!after.contains { $0.hasSuffix("closed") }, "\(mode): a reload sent closed events: \(after)")
        #expect(Set(after) == Set(before), "\(mode): no event at all from a reload")
        #expect(try openIDs(state) == open, "\(mode): the same alerts are still open")
        // A reload is not a restart: the opened-alerts counter goes on (a drop reads as a reset).
        #expect(try alertsOpened(port: port) == openedBefore, "\(mode): conflictwatch_alerts_opened_total kept its value")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
        let expected = switch mode {
        case .tail, .runSameConfig: "reopening files"
        case .runChangedSources: "the running model goes on"
        case .runChangedAlpha: "model state restored"
        case .runChangedBucket: "cannot continue the running model"
        }
        let afterHUP = r.stderrText.split(separator: "\n").drop { !$0.contains("SIGHUP") }.joined(separator: "\n")
        #expect(afterHUP.contains(expected), "\(mode): \(afterHUP.suffix(2000))")
    }
}
