import ConflictWatchTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `conflictwatch tail` daemon: rotation under load with a kill -9 and a restart,
/// graceful stop, and the lag from an appended line to a query that shows it.
@Suite(.serialized) struct DaemonTests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    var writerScript: String {
        // Tests/IntegrationTests/DaemonTests.swift → Tests/Scripts/RotatingWriter.py
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/RotatingWriter.py").path
    }

    func startDaemon(_ tmp: TemporaryDirectory, log: String, name: String, extra: [String] = []) async throws -> BackgroundProcess {
        let p = try BackgroundProcess(
            name: name, executable: bin,
            arguments: ["tail", "--state-dir", tmp.file("state"), "--log-format", "combined"] + extra + [log],
            directory: tmp)
        // Ready once it has opened the store and the file (bounded wait).
        for _ in 0..<100 {
            let err = (try? String(contentsOfFile: p.stderrPath, encoding: .utf8)) ?? ""
            if err.contains("following file") || err.contains("resuming file") { return p }
            if !p.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("daemon \(name) did not start: \(p.stderrTail)")
        return p
    }

    /// Total requests over every route, as `routes --format json` reports them.
    func storedRequests(_ tmp: TemporaryDirectory) throws -> Int {
        let r = try ProcessRunner.run(bin, ["routes", "--state-dir", tmp.file("state"), "--format", "json"], timeout: 20)
        guard r.succeeded, let rows = try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] else { return -1 }
        return rows.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
    }

    func copytruncate(_ log: String, to copy: String, lock: String) throws {
        // Pause the writer (its batches hold the same flock), copy, give the daemon a moment to
        // read to the end (what copytruncate truncates unread is lost for every tailer), truncate.
        let lfd = open(lock, O_RDWR | O_CREAT, 0o644)
        defer { close(lfd) }
        flock(lfd, LOCK_EX)
        defer { flock(lfd, LOCK_UN) }
        try FileManager.default.copyItem(atPath: log, toPath: copy)
        usleep(400_000)
        truncate(log, 0)
    }

    @Test func rotationUnderLoadWithKillAndRestartCountsEveryLineOnce() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-rotate")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        let lock = tmp.file("writer.lock")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        var daemon = try await startDaemon(tmp, log: log, name: "daemon-1", extra: ["--from-start"])
        let writer = try BackgroundProcess(
            name: "writer", executable: "/usr/bin/env",
            // 12 s of writing: five rotations need five loop turns of a second or more each, and
            // with the fleet tests' eight agents on the same two cores 3,000 lines/s (8 s) once
            // ended the writer after four.
            arguments: ["python3", writerScript, "--path", log, "--lock", lock, "--lines", "24000", "--rate", "2000"],
            directory: tmp)
        var rotation = 0
        var killed = false
        while writer.isRunning && rotation < 12 {
            try await Task.sleep(for: .milliseconds(1000))
            guard writer.isRunning else { break }
            rotation += 1
            if rotation == 3 && !killed {
                // Midway: kill -9, rotate by rename while it is down, restart.
                kill(daemon.processIdentifier, SIGKILL)
                _ = await daemon.waitForExit(timeout: 5)
                killed = true
                #expect(rename(log, log + ".\(rotation)") == 0)
                try await Task.sleep(for: .milliseconds(500))
                daemon = try await startDaemon(tmp, log: log, name: "daemon-2")
            } else if rotation % 2 == 1 {
                #expect(rename(log, log + ".\(rotation)") == 0)
            } else {
                try copytruncate(log, to: log + ".\(rotation)", lock: lock)
            }
        }
        let written = await writer.waitForExit(timeout: 30)
        #expect(written.succeeded, "writer: \(written.summary)")
        let expected = Int(written.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(expected == 24000)
        #expect(killed && rotation >= 5, "the writer ended before the rotations ran (\(rotation))")

        var stored = -1
        for _ in 0..<40 {
            stored = try storedRequests(tmp)
            if stored >= expected { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        // A little longer: a count that overshoots must be seen too.
        try await Task.sleep(for: .milliseconds(1500))
        stored = try storedRequests(tmp)
        #expect(stored == expected, "stored \(stored) of \(expected) lines; daemon: \(daemon.stderrTail)")

        let stop = Date()
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.summary)")
        #expect(Date().timeIntervalSince(stop) < 5)
    }

    static var logrotate: String? {
        ["/usr/sbin/logrotate", "/usr/bin/logrotate", "/sbin/logrotate"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The real logrotate, in `create` (rename + new file) and `copytruncate` mode, rotating
    /// under a steady writer: every line written is counted once.
    @Test(arguments: ["create", "copytruncate"])
    func realLogrotate(mode: String) async throws {
        guard let logrotate = Self.logrotate else {
            Issue.record("logrotate not installed: run `make test-deps` (apt-get install logrotate)")
            return
        }
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-logrotate-\(mode)")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        let lock = tmp.file("writer.lock")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let conf = tmp.file("logrotate.conf")
        try "\(log) {\n  rotate 10\n  \(mode)\n  missingok\n  nocompress\n}\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let daemon = try await startDaemon(tmp, log: log, name: "daemon", extra: ["--from-start"])
        let writer = try BackgroundProcess(
            name: "writer", executable: "/usr/bin/env",
            arguments: ["python3", writerScript, "--path", log, "--lock", lock, "--lines", "9000", "--rate", "3000"],
            directory: tmp)
        var rotations = 0
        while writer.isRunning && rotations < 4 {
            try await Task.sleep(for: .milliseconds(700))
            guard writer.isRunning else { break }
            var lfd: Int32 = -1
            if mode == "copytruncate" {
                // logrotate does not pause the writer; the lock does, as the rotation test's
                // own copytruncate, so no line falls between copy and truncate.
                lfd = open(lock, O_RDWR | O_CREAT, 0o644)
                flock(lfd, LOCK_EX)
                usleep(400_000)
            }
            let r = try ProcessRunner.run(logrotate, ["-f", "-s", tmp.file("logrotate.state"), conf], timeout: 20)
            if lfd >= 0 {
                flock(lfd, LOCK_UN)
                close(lfd)
            }
            #expect(r.succeeded, "logrotate: \(r.summary)")
            rotations += 1
        }
        let written = await writer.waitForExit(timeout: 30)
        let expected = Int(written.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(expected == 9000, "writer: \(written.summary)")
        #expect(rotations >= 2)
        var stored = -1
        for _ in 0..<40 {
            stored = try storedRequests(tmp)
            if stored >= expected { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try await Task.sleep(for: .milliseconds(1200))
        stored = try storedRequests(tmp)
        #expect(stored == expected, "stored \(stored) of \(expected); daemon: \(daemon.stderrTail)")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
    }

    /// `run --config`: SIGHUP reads the file again and follows a source added to it.
    @Test func runConfigReloadsOnSIGHUP() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-hup")
        defer { tmp.remove() }
        let a = tmp.file("a.log"), b = tmp.file("b.log")
        #expect(FileManager.default.createFile(atPath: a, contents: nil))
        #expect(FileManager.default.createFile(atPath: b, contents: nil))
        let conf = tmp.file("config.yaml")
        func writeConfig(_ paths: [String]) throws {
            var text = "state_dir: \(tmp.file("state"))\nfrom_start: true\nsources:\n"
            for p in paths { text += "  - path: \(p)\n    format: combined\n" }
            try text.write(toFile: conf, atomically: true, encoding: .utf8)
        }
        try writeConfig([a])
        let daemon = try BackgroundProcess(name: "run", executable: bin, arguments: ["run", "--config", conf], directory: tmp)
        let line = "127.0.0.1 - - [24/Nov/2026:10:00:00 +0000] \"PUT /api/orders/1 HTTP/1.1\" 200 1 \"-\" \"x\"\n"
        try line.write(toFile: a, atomically: false, encoding: .utf8)
        try line.write(toFile: b, atomically: false, encoding: .utf8)
        var seen = -1
        for _ in 0..<40 {
            seen = try storedRequests(tmp)
            if seen == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen == 1, "only a.log is configured; daemon: \(daemon.stderrTail)")
        try writeConfig([a, b])
        kill(daemon.processIdentifier, SIGHUP)
        for _ in 0..<40 {
            seen = try storedRequests(tmp)
            if seen == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen == 2, "b.log after SIGHUP; daemon: \(daemon.stderrTail)")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")
        #expect(r.stderrText.contains("configuration changed"))
    }

    @Test func appendedLineIsQueryableWithinOneSecondAndStopIsGraceful() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-lag")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        try Data("127.0.0.1 - - [24/Nov/2026:10:00:00 +0000] \"GET /old HTTP/1.1\" 200 1 \"-\" \"x\"\n".utf8).write(to: URL(fileURLWithPath: log))
        let daemon = try await startDaemon(tmp, log: log, name: "daemon")
        // The existing line is skipped (a new file starts at its end); the appended one counts.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        let appended = Date()
        try handle.write(contentsOf: Data("127.0.0.2 - - [24/Nov/2026:10:00:01 +0000] \"PUT /api/orders/1 HTTP/1.1\" 409 1 \"-\" \"x\"\n".utf8))
        try handle.close()
        var seen = -1
        var lag = 0.0
        for _ in 0..<40 {
            seen = try storedRequests(tmp)
            lag = Date().timeIntervalSince(appended)
            if seen == 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(seen == 1, "daemon: \(daemon.stderrTail)")
        #expect(lag <= 1.0, "lag \(lag) s")

        // A line appended right before SIGTERM is flushed on the way out.
        let h2 = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try h2.seekToEnd()
        try h2.write(contentsOf: Data("127.0.0.3 - - [24/Nov/2026:10:00:02 +0000] \"PUT /api/orders/2 HTTP/1.1\" 200 1 \"-\" \"x\"\n".utf8))
        try h2.close()
        try await Task.sleep(for: .milliseconds(20))
        let stop = Date()
        let r = await daemon.terminate(timeout: 10)
        let took = Date().timeIntervalSince(stop)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.summary)")
        #expect(took < 5, "stopped after \(took) s")
        #expect(r.stderrText.contains("daemon stopped"))
        #expect(try storedRequests(tmp) == 2)

        // The store stays readable by other commands after the daemon is gone.
        let alerts = try ProcessRunner.run(bin, ["alerts", "--state-dir", tmp.file("state"), "--format", "json"])
        #expect(alerts.succeeded, "\(alerts.summary)")
    }

    @Test func sigintStopsGracefullyToo() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-int")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let daemon = try await startDaemon(tmp, log: log, name: "daemon")
        let stop = Date()
        kill(daemon.processIdentifier, SIGINT)
        let r = await daemon.waitForExit(timeout: 10)
        #expect(r.status == 0 && !r.terminatedBySignal, "\(r.summary)")
        #expect(Date().timeIntervalSince(stop) < 5)
        #expect(r.stderrText.contains("daemon stopped"))
    }

    @Test func secondDaemonOnTheSameStateIsRefused() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-twice")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let first = try await startDaemon(tmp, log: log, name: "first")
        let second = try ProcessRunner.run(bin, ["tail", "--state-dir", tmp.file("state"), log], timeout: 20)
        #expect(second.status == 1, "\(second.summary)")
        #expect(second.stderrText.contains("another conflictwatch daemon (pid \(first.processIdentifier))"), "\(second.stderrText)")
        let r = await first.terminate(timeout: 10)
        #expect(r.status == 0)
    }

    @Test func unusableStateDirSaysWhatToDo() throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-badstate")
        defer { tmp.remove() }
        let blocker = tmp.file("not-a-dir")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let r = try ProcessRunner.run(bin, ["tail", "--state-dir", blocker + "/state", tmp.file("a.log")], timeout: 20)
        #expect(r.status == 1, "\(r.summary)")
        #expect(r.stderrText.contains("--state-dir"), "\(r.stderrText)")
    }

    @Test func queryWithoutStoreSaysWhatToDo() throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-nostore")
        defer { tmp.remove() }
        let r = try ProcessRunner.run(bin, ["alerts", "--state-dir", tmp.file("none")])
        #expect(r.status == 1)
        #expect(r.stderrText.contains("conflictwatch tail"))
        let bad = try ProcessRunner.run(bin, ["alerts", "--since", "yesterday", "--state-dir", tmp.path])
        #expect(bad.status == 2)
        #expect(bad.stderrText.contains("30m"))
    }

    /// Combined lines of PUT traffic from `start` for `seconds`: `perSecond` background writes by
    /// 50 clients over 200 orders (every 50th a 409), plus, when `storm`, 127.0.0.66 replaying a
    /// stale version of order 13 five times a second (all 409).
    func traffic(start: Date, seconds: Int, perSecond: Int = 4, storm: Bool = false) -> String {
        OrderTraffic.combined(start: start, seconds: seconds, perSecond: perSecond, storm: storm)
    }

    func waitForStored(_ tmp: TemporaryDirectory, _ expected: Int) async throws -> Int {
        var seen = -1
        for _ in 0..<200 {
            seen = try storedRequests(tmp)
            if seen >= expected { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }

    /// SPEC §5.5: the daemon saves what it learned (atomically, 0600) and a restart starts warm —
    /// a 40 s storm right after the restart is caught, which a cold model (6 warm-up buckets)
    /// would still be warming up for; and what the first run left open is closed at the restart.
    @Test func restartStartsWarmFromLearnedState() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-daemon-warm")
        defer { tmp.remove() }
        let log = tmp.file("access.log")
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        // Ten quiet minutes, then a storm still going on when the daemon stops.
        let history = traffic(start: t0, seconds: 600) + traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)
        try Data(history.utf8).write(to: URL(fileURLWithPath: log))
        let first = try await startDaemon(tmp, log: log, name: "first", extra: ["--from-start"])
        #expect(try await waitForStored(tmp, 2760) == 2760, "first: \(first.stderrTail)")
        try await Task.sleep(for: .milliseconds(500))
        let r1 = await first.terminate(timeout: 10)
        #expect(r1.status == 0, "\(r1.summary)")
        let openAtStop = try ProcessRunner.run(bin, ["alerts", "--state-dir", tmp.file("state"), "--open", "--format", "json"])
        let leftOpen = try #require(JSONSerialization.jsonObject(with: openAtStop.stdout) as? [[String: Any]], "\(openAtStop.summary)")
        #expect(!leftOpen.isEmpty, "the storm at the end of the first run is an open alert when it stops")
        let state = tmp.file("state/model-state.json")
        var st = stat()
        #expect(stat(state, &st) == 0 && st.st_mode & 0o777 == 0o600, "model-state.json missing or not 0600")
        let saved = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any])
        #expect((saved["baselines"] as? [String: Any])?["/api/orders/{id}"] != nil)

        // An hour later in traffic time: a storm from the first second, then quiet traffic.
        let later = t0.addingTimeInterval(3600)
        let appended = traffic(start: later, seconds: 40, storm: true) + traffic(start: later.addingTimeInterval(40), seconds: 30)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(appended.utf8))
        try handle.close()
        let second = try await startDaemon(tmp, log: log, name: "second")
        #expect(try await waitForStored(tmp, 2760 + 40 * 9 + 30 * 4) == 2760 + 40 * 9 + 30 * 4, "second: \(second.stderrTail)")
        try await Task.sleep(for: .milliseconds(500))
        let r2 = await second.terminate(timeout: 10)
        #expect(r2.stderrText.contains("starting warm from learned state"), "\(r2.stderrText.suffix(600))")
        let alerts = try ProcessRunner.run(bin, ["alerts", "--state-dir", tmp.file("state"), "--kind", "burst", "--format", "json"])
        let rows = try #require(JSONSerialization.jsonObject(with: alerts.stdout) as? [[String: Any]], "\(alerts.summary)")
        #expect(rows.contains { ($0["client"] as? String) == "127.0.0.66" || (($0["top_clients"] as? [[String: Any]])?.first?["client"] as? String) == "127.0.0.66" },
                "no burst for the storm after a warm restart: \(rows.map { $0["reason"] ?? "" })")
        // What the first run left open was closed at the restart; only the second run's may be open.
        let openNow = try ProcessRunner.run(bin, ["alerts", "--state-dir", tmp.file("state"), "--open", "--format", "json"])
        let stillOpen = try #require(JSONSerialization.jsonObject(with: openNow.stdout) as? [[String: Any]], "\(openNow.summary)")
        #expect(stillOpen.allSatisfy { ($0["start"] as? String ?? "") >= "2026-11-24T11:00:00" }, "\(stillOpen.map { $0["id"] ?? "" })")
    }
}
