import Foundation
import Testing

/// Validated inputs and neutralised control characters (issue 10 items 3 and 4), through the
/// real binary: exit codes, messages, and what reaches stdout.
@Suite struct ValidationTests {
    var bin: String { TestEnvironment.conflictwatchBinary }

    /// Bytes that must never reach a terminal raw: ESC, BEL, DEL, a C1 CSI (U+009B) and a bidi
    /// override (U+202E).
    static func rawControls(_ text: String) -> [String] {
        var found: [String] = []
        for u in text.unicodeScalars where u != "\n" {
            switch u.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: found.append(String(u.value, radix: 16))
            default: break
            }
        }
        return found
    }

    /// A JSON log (nginx `escape=json` writes controls as \u001b) with a write-conflict burst on
    /// a path that carries terminal escapes, plus a combined log carrying the raw bytes.
    static func hostileLogs(in dir: TemporaryDirectory) throws -> (json: String, combined: String) {
        var json = ""
        var combined = ""
        let evil = "/api/orders/\u{1B}]0;pwned\u{07}\u{1B}[2J\u{9B}31m\u{202E}x"
        let jsonEvil = #"/api/orders/\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202ex"#
        let start = 1_795_510_800  // 2026-11-24T06:20:00Z
        for minute in 0..<12 {
            for i in 0..<40 {
                let t = start + minute * 60 + i
                let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(t)))
                // The burst: 409s on the evil resource in the last minutes, from a client whose agent also carries escapes.
                let conflict = minute >= 9 && i % 2 == 0
                let status = conflict ? 409 : 200
                let client = "10.0.0.\(conflict ? 66 : i % 7 + 1)"
                json += #"{"time":"\#(time)","remote_addr":"\#(client)","request":"PUT \#(jsonEvil)\#(i % 3) HTTP/1.1","status":\#(status),"body_bytes_sent":10,"http_user_agent":"agent\u001b[31m"}"# + "\n"
                let clf = Self.clf(t)
                combined += "\(client) - - [\(clf)] \"PUT \(evil)\(i % 3) HTTP/1.1\" \(status) 10 \"-\" \"agent\u{1B}[31m\"\n"
            }
        }
        let jp = dir.file("evil.json.log"), cp = dir.file("evil.combined.log")
        try json.write(toFile: jp, atomically: true, encoding: .utf8)
        try combined.write(toFile: cp, atomically: true, encoding: .utf8)
        return (jp, cp)
    }

    static func clf(_ t: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }

    // MARK: - Control characters (item 4)

    @Test func analyzeTablesEscapeControlsFromBothLogFormats() throws {
        let dir = try TemporaryDirectory(prefix: "cw-escape")
        defer { dir.remove() }
        let logs = try Self.hostileLogs(in: dir)
        for (log, format) in [(logs.json, "json"), (logs.combined, "combined")] {
            let r = try ProcessRunner.run(bin, ["analyze", "--quiet", "--log-format", format, "--state-dir", dir.file("state-\(format)"), log])
            #expect(r.succeeded, "\(r.summary)")
            #expect(Self.rawControls(r.stdoutText).isEmpty, "\(format): raw \(Self.rawControls(r.stdoutText))")
            #expect(r.stdoutText.contains(#"\x1b"#), "\(format): escaped form shown: \(r.stdoutText.prefix(2000))")
            // JSON output is unchanged: the encoder escapes, the path is still the one sent.
            let j = try ProcessRunner.run(bin, ["analyze", "--quiet", "--format", "json", "--log-format", format, log])
            #expect(j.stdoutText.contains(#"\u001b"#) && !j.stdoutText.contains(#"\\x1b"#))
        }
        // parse: JSON lines on stdout, and the malformed-line samples on stderr, escaped there.
        let malformed = dir.file("malformed.log")
        try "garbage \u{1B}]2;title\u{07} \u{1B}[2J not a log line\n".write(toFile: malformed, atomically: true, encoding: .utf8)
        let parsed = try ProcessRunner.run(bin, ["parse", "--log-format", "combined", malformed])
        #expect(parsed.stderrText.contains(#"\x1b]2;title\x07"#), "\(parsed.stderrText)")
        #expect(Self.rawControls(parsed.stderrText).isEmpty, "raw \(Self.rawControls(parsed.stderrText))")
        // The query commands over the store analyze wrote.
        let state = dir.file("state-json")
        var outputs: [String: ProcessResult] = [:]
        for args in [["routes"], ["alerts"], ["hotspots"], ["alerts", "--format", "csv"], ["routes", "--format", "csv"], ["hotspots", "--format", "csv"]] {
            let r = try ProcessRunner.run(bin, args + ["--state-dir", state])
            #expect(r.succeeded, "\(args): \(r.summary)")
            #expect(Self.rawControls(r.stdoutText).isEmpty, "\(args): raw \(Self.rawControls(r.stdoutText)) in \(r.stdoutText.prefix(600))")
            outputs[args.joined(separator: " ")] = r
        }
        // Not vacuous: each table shows the escaped path.
        for key in ["routes", "alerts", "hotspots", "hotspots --format csv"] {
            #expect(outputs[key]?.stdoutText.contains(#"\x1b"#) == true, "\(key): \(outputs[key]?.stdoutText ?? "")")
        }
        // One alert, shown with its evidence (samples carry the raw paths and clients).
        let listed = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--format", "json"])
        let alerts = try #require(JSONSerialization.jsonObject(with: listed.stdout) as? [[String: Any]])
        let id = try #require(alerts.first?["id"] as? String, "the burst was detected: \(listed.stdoutText.prefix(400))")
        let shown = try ProcessRunner.run(bin, ["alerts", "show", id, "--state-dir", state])
        #expect(shown.succeeded, "\(shown.summary)")
        #expect(Self.rawControls(shown.stdoutText).isEmpty, "raw \(Self.rawControls(shown.stdoutText))")
        #expect(shown.stdoutText.contains(#"\x1b"#) || shown.stdoutText.contains(#"\u{202e}"#), "\(shown.stdoutText)")
    }

    @Test func evaluateTableEscapesAlertText() throws {
        let dir = try TemporaryDirectory(prefix: "cw-escape-eval")
        defer { dir.remove() }
        let sim = try ProcessRunner.run(bin, ["simulate", "--quiet", "--scenario", "steady", "--out", dir.file("sim"), "--duration", "1200"], timeout: 120)
        #expect(sim.succeeded, "\(sim.summary)")
        let truth = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("sim/truth.json")))) as? [String: Any])
        let start = try #require(truth["start"] as? String)
        // A false alert whose route and client carry escapes.
        let alerts = #"{"alerts":[{"id":"burst-1\u001b[2J","kind":"burst","class":["single_client"],"severity":"high","route":"/evil\u001b]0;x\u0007","client":"10.0.0.1\u009b","start":"\#(start)","end":"\#(start)","peak_count":9,"expected":1,"score":9,"statuses":{"409":9},"reason":"r\u202e"}]}"#
        try alerts.write(toFile: dir.file("alerts.json"), atomically: true, encoding: .utf8)
        let r = try ProcessRunner.run(bin, ["evaluate", "--quiet", "--no-ranking", "--truth", dir.file("sim/truth.json"), dir.file("alerts.json")], timeout: 120)
        #expect(r.status == 0 || r.status == 1, "\(r.summary)")
        #expect(!r.stdoutText.isEmpty, "\(r.summary)")
        #expect(Self.rawControls(r.stdoutText).isEmpty, "raw \(Self.rawControls(r.stdoutText)) in \(r.stdoutText)")
    }

    // MARK: - Model and config values (item 3)

    @Test func modelValuesOutOfBoundsExitTwoNamingFileKeyValueAndRange() throws {
        let dir = try TemporaryDirectory(prefix: "cw-model-bounds")
        defer { dir.remove() }
        let log = dir.file("a.log")
        try "10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] \"PUT /a/1 HTTP/1.1\" 200 1 \"-\" \"x\"\n".write(toFile: log, atomically: true, encoding: .utf8)
        let model = dir.file("model.json")
        try #"{"max_resources": 1e12}"#.write(toFile: model, atomically: true, encoding: .utf8)
        for args in [["analyze", log], ["parse", log], ["train", log, "--out", dir.file("t.json")], ["tail", "--state-dir", dir.file("s"), log]] {
            let r = try ProcessRunner.run(bin, [args[0], "--model", model] + args.dropFirst(), timeout: 30)
            #expect(!r.terminatedBySignal && r.status == 2, "\(args[0]): \(r.summary)")
            #expect(r.stderrText.contains(model) && r.stderrText.contains("max_resources = 1000000000000")
                    && r.stderrText.contains("1000…2097152"), "\(args[0]): \(r.stderrText)")
        }
        // A config naming that model: `config check` and `run` refuse it the same way.
        let conf = dir.file("config.yaml")
        try "state_dir: \(dir.file("state"))\nmodel: \(model)\nsources:\n  - path: \(log)\n".write(toFile: conf, atomically: true, encoding: .utf8)
        for args in [["config", "check", conf], ["run", "--config", conf]] {
            let r = try ProcessRunner.run(bin, args, timeout: 30)
            #expect(r.status == 2 && r.stderrText.contains("max_resources"), "\(args): \(r.summary)")
        }
    }

    @Test func configCheckNamesMissingPaths() throws {
        let dir = try TemporaryDirectory(prefix: "cw-config-paths")
        defer { dir.remove() }
        let conf = dir.file("config.yaml")
        try "state_dir: \(dir.file("state"))\nsources:\n  - path: \(dir.file("nothing-here.log"))\n  - path: \"\(dir.path)/*.gone\"\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let warned = try ProcessRunner.run(bin, ["config", "check", conf])
        #expect(warned.status == 0, "\(warned.summary)")
        #expect(warned.stdoutText.contains("sources[0].path: warning:") && warned.stdoutText.contains("nothing-here.log does not exist yet"), "\(warned.stdoutText)")
        #expect(warned.stdoutText.contains("sources[1].path: warning:") && warned.stdoutText.contains("matches no file yet"))
        #expect(warned.stdoutText.contains("ok with 2 warnings"))
        try "state_dir: /nonexistent-cw/state\nsources:\n  - path: \(dir.file("x.log"))\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let bad = try ProcessRunner.run(bin, ["config", "check", conf])
        #expect(bad.status == 2 && bad.stderrText.contains("state_dir") && bad.stderrText.contains("/nonexistent-cw does not exist"), "\(bad.summary)")
        try "retention_days: 100000\nsources:\n  - path: \(dir.file("x.log"))\n".write(toFile: conf, atomically: true, encoding: .utf8)
        let range = try ProcessRunner.run(bin, ["config", "check", conf])
        #expect(range.status == 2 && range.stderrText.contains("retention_days: expected whole days in 1…3650 (default 30), got 100000"), "\(range.summary)")
    }

    // MARK: - CLI messages (item 3)

    @Test func reportOutIsADirectoryOrUnwritable() throws {
        let dir = try TemporaryDirectory(prefix: "cw-report-out")
        defer { dir.remove() }
        let r = try ProcessRunner.run(bin, ["report", "--state-dir", dir.file("state"), "--out", dir.path])
        #expect(r.status == 2, "\(r.summary)")
        #expect(r.stderrText.contains("\(dir.path) is a directory; give a file path such as \(dir.path)/report.html"), "\(r.stderrText)")
        #expect(!r.stderrText.contains("NSCocoaErrorDomain"))
        let missing = try ProcessRunner.run(bin, ["report", "--state-dir", dir.file("state"), "--out", dir.file("no/such/dir/r.html")])
        #expect(missing.status == 2 && missing.stderrText.contains("does not exist"), "\(missing.summary)")
        // A directory where no file can be created, even by root (checked once the report is built).
        let log = dir.file("a.log")
        try "10.0.0.1 - - [24/Nov/2026:10:00:00 +0000] \"PUT /a/1 HTTP/1.1\" 409 1 \"-\" \"x\"\n".write(toFile: log, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.run(bin, ["analyze", "--quiet", "--state-dir", dir.file("state"), log]).succeeded)
        let denied = try ProcessRunner.run(bin, ["report", "--state-dir", dir.file("state"), "--out", "/sys/cw-report.html"])
        #expect(denied.status == 1 && denied.stderrText.contains("cannot write /sys/cw-report.html: Permission denied (a file cannot be created in /sys)"),
                "\(denied.summary)")
    }

    @Test func corruptStateIsReportedAsCorrupt() async throws {
        let dir = try TemporaryDirectory(prefix: "cw-corrupt")
        defer { dir.remove() }
        let log = dir.file("a.log"), state = dir.file("state")
        var lines = ""
        for i in 0..<30 { lines += "10.0.0.\(i % 3) - - [24/Nov/2026:10:00:\(String(format: "%02d", i)) +0000] \"PUT /api/orders/\(i % 4) HTTP/1.1\" 200 1 \"-\" \"x\"\n" }
        try lines.write(toFile: log, atomically: true, encoding: .utf8)
        // A daemon run leaves a store with its model_state row naming a model-snapshot file,
        // and a model-state.json.
        let first = try BackgroundProcess(name: "first", executable: bin, arguments: ["tail", "--from-start", "--state-dir", state, log], directory: dir)
        for _ in 0..<100 where !((try? String(contentsOfFile: first.stderrPath, encoding: .utf8)) ?? "").contains("following file") {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(600))
        #expect(await first.terminate().status == 0)
        // The snapshot the row names and the learned-state file are damaged: each is said, at warning.
        let db = state + "/conflictwatch.sqlite"
        let named = try ProcessRunner.run("/usr/bin/env", ["python3", "-c",
            "import sqlite3; d = sqlite3.connect('\(db)'); print(d.execute('SELECT file_generation FROM model_state').fetchone()[0])"])
        let generation = try #require(Int(named.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)), "\(named.summary)")
        #expect(truncate(state + "/model-snapshot.\(generation % 2)", 4) == 0)
        try "{\"baselines\": {".write(toFile: state + "/model-state.json", atomically: true, encoding: .utf8)
        let second = try BackgroundProcess(name: "second", executable: bin, arguments: ["tail", "--state-dir", state, log], directory: dir)
        for _ in 0..<100 where !((try? String(contentsOfFile: second.stderrPath, encoding: .utf8)) ?? "").contains("daemon started") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let r = await second.terminate()
        #expect(r.status == 0, "\(r.summary)")
        #expect(r.stderrText.contains("warning") && r.stderrText.contains("stored model state not usable; discarded, starting cold")
                && r.stderrText.contains("holds 4 of the"), "\(r.stderrText)")
        #expect(r.stderrText.contains("learned state not usable; discarded") && r.stderrText.contains("model-state.json.corrupt"), "\(r.stderrText)")

        // The store file itself overwritten: corrupt, exit 1, not "newer".
        let h = try #require(FileHandle(forUpdatingAtPath: db))
        h.write(Data(repeating: 0x5A, count: 8192))
        try h.close()
        for args in [["alerts", "--state-dir", state], ["routes", "--state-dir", state], ["tail", "--state-dir", state, log]] {
            let q = try ProcessRunner.run(bin, args, timeout: 20)
            #expect(q.status == 1, "\(args[0]): \(q.summary)")
            #expect(q.stderrText.contains("the store at \(db) is corrupt") && q.stderrText.contains("restore it from a backup")
                    && !q.stderrText.contains("newer"), "\(args[0]): \(q.stderrText)")
        }
    }

    @Test func serverConnectionRefusedIsSaidPlainly() throws {
        let r = try ProcessRunner.run(bin, ["alerts", "--server", "http://127.0.0.1:1"], timeout: 30)
        #expect(r.status == 1, "\(r.summary)")
        #expect(r.stderrText.contains("cannot connect to http://127.0.0.1:1: connection refused; is the daemon running with --listen"), "\(r.stderrText)")
        #expect(!r.stderrText.contains("NIOConnectionError") && !r.stderrText.contains("SingleConnectionFailure"))
    }

    @Test func tailWarnsAboutEachMissingPath() async throws {
        let dir = try TemporaryDirectory(prefix: "cw-tail-missing")
        defer { dir.remove() }
        let present = dir.file("present.log")
        #expect(FileManager.default.createFile(atPath: present, contents: nil))
        let p = try BackgroundProcess(name: "tail", executable: bin,
                                      arguments: ["tail", "--state-dir", dir.file("state"), present, dir.file("later.log"), "\(dir.path)/*.gz"],
                                      directory: dir)
        var err = ""
        for _ in 0..<100 {
            err = (try? String(contentsOfFile: p.stderrPath, encoding: .utf8)) ?? ""
            if err.contains("daemon started") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let r = await p.terminate()
        #expect(r.status == 0, "\(r.summary)")
        #expect(r.stderrText.contains("warning: \(dir.file("later.log")) does not exist yet; it is followed once it appears"), "\(r.stderrText)")
        #expect(r.stderrText.contains("\(dir.path)/*.gz matches no file yet"))
        #expect(!r.stderrText.contains("warning: \(present)"))
    }
}

/// SIGHUP with a changed model file (SPEC §10): an invalid one is refused with its key and
/// the daemon keeps running with the old parameters; a valid one restarts the pipeline warm.
@Suite struct ModelReloadTests {
    var bin: String { TestEnvironment.conflictwatchBinary }

    func routes(_ state: String) throws -> Int {
        let r = try ProcessRunner.run(bin, ["routes", "--state-dir", state, "--format", "json"], timeout: 20)
        guard r.succeeded, let rows = try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] else { return -1 }
        return rows.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
    }

    func waitFor(_ expected: Int, _ state: String) async throws -> Int {
        var seen = -1
        for _ in 0..<60 {
            seen = try routes(state)
            if seen == expected { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return seen
    }

    @Test func sighupWithInvalidModelKeepsRunningAndValidOneApplies() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-model-hup")
        defer { tmp.remove() }
        let log = tmp.file("a.log"), model = tmp.file("model.json"), conf = tmp.file("config.yaml"), state = tmp.file("state")
        try #"{"bucket_seconds": 10}"#.write(toFile: model, atomically: true, encoding: .utf8)
        try "state_dir: \(state)\nfrom_start: true\nmodel: \(model)\nsources:\n  - path: \(log)\n    format: combined\n"
            .write(toFile: conf, atomically: true, encoding: .utf8)
        var lines = ""
        for i in 0..<50 {
            lines += "10.0.0.\(i % 5) - - [24/Nov/2026:10:00:\(String(format: "%02d", i)) +0000] \"PUT /api/orders/\(i % 7)/x\(i) HTTP/1.1\" \(i % 4 == 0 ? 409 : 200) 1 \"-\" \"x\"\n"
        }
        try lines.write(toFile: log, atomically: false, encoding: .utf8)
        let daemon = try BackgroundProcess(name: "run", executable: bin, arguments: ["run", "--config", conf], directory: tmp)
        #expect(try await waitFor(50, state) == 50, "daemon: \(daemon.stderrTail)")

        // Invalid: refused with the key, old parameters kept, still reading.
        try #"{"max_resources": 1e12}"#.write(toFile: model, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        let append = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try append.seekToEnd()
        try append.write(contentsOf: Data("10.0.0.9 - - [24/Nov/2026:10:01:00 +0000] \"PUT /api/orders/1/y HTTP/1.1\" 200 1 \"-\" \"x\"\n".utf8))
        #expect(try await waitFor(51, state) == 51, "still ingesting after the refused reload: \(daemon.stderrTail)")
        #expect(daemon.isRunning)

        // Valid but different tables: a new pipeline, warm from the snapshot, still reading.
        try #"{"max_resources": 1000, "read_tracker_slots": 1024, "routes": {"max_routes": 10, "max_learned_positions": 64, "var_threshold": 2}}"#
            .write(toFile: model, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        // Restored into smaller tables, then more routes, resources and clients than they hold.
        var more = ""
        for i in 0..<300 {
            more += "10.0.\(i % 50).\(i % 7) - - [24/Nov/2026:10:01:\(String(format: "%02d", i / 6)) +0000] \"PUT /svc\(i % 60)/items/\(i) HTTP/1.1\" \(i % 3 == 0 ? 409 : 200) 1 \"-\" \"x\"\n"
        }
        try append.write(contentsOf: Data(more.utf8))
        try append.close()
        #expect(try await waitFor(351, state) == 351, "still ingesting after the applied reload: \(daemon.stderrTail)")
        let r = await daemon.terminate(timeout: 10)
        #expect(!r.terminatedBySignal && r.status == 0, "\(r.summary)")
        let err = r.stderrText
        #expect(err.contains("SIGHUP: configuration not reloaded; keeping the running one") && err.contains("max_resources = 1000000000000"), "\(err)")
        #expect(err.contains("configuration changed"), "\(err)")
    }
}
