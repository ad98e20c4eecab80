import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `run --config` with an interface source, and `capture -i --state-dir`: nginx on the loopback
/// is captured live into the same store and model as tailed files, and the routes table equals
/// what curl sent — while the daemon runs, not only once it stops.
@Suite(.serialized) struct DaemonCaptureTests {
    var bin: String { TestEnvironment.conflictwatchBinary }

    @Test func interfaceSourceFeedsTheStore() async throws {
        if TestEnvironment.skipNginx || TestEnvironment.environment["CONFLICTWATCH_SKIP_CAPTURE"] == "1" { return }
        guard let nginx = ExecutableLocator.find("nginx"), let curl = ExecutableLocator.find("curl") else {
            Issue.record("nginx and curl are needed: run `make test` (it installs them), or set CONFLICTWATCH_SKIP_CAPTURE=1")
            return
        }
        guard geteuid() == 0 else {
            Issue.record("capturing the loopback needs root or CAP_NET_RAW: run the tests as root, or set CONFLICTWATCH_SKIP_CAPTURE=1")
            return
        }
        let prefix = try TemporaryDirectory(prefix: "cw-run-capture")
        defer { prefix.remove() }
        try FileManager.default.createDirectory(atPath: prefix.file("files"), withIntermediateDirectories: true)
        let server = try NginxServer.start(binary: nginx, prefix: prefix, ipv6: false) { port, _ in
            NginxCaptureTests.configuration(prefix: prefix, port: port)
        }
        defer { server.stop() }
        let conf = prefix.file("config.yaml")
        try """
            state_dir: \(prefix.file("state"))
            listen: 127.0.0.1:0
            sources:
              - interface: lo
                filter: tcp port \(server.port)
            """.write(toFile: conf, atomically: true, encoding: .utf8)
        let check = try ProcessRunner.run(bin, ["config", "check", conf])
        #expect(check.succeeded && check.stdoutText.contains("1 interface"), "\(check.summary) \(check.stdoutText)")
        let daemon = try BackgroundProcess(name: "run", executable: bin, arguments: ["run", "--config", conf], directory: prefix)
        var apiPort: Int?
        for _ in 0..<100 where apiPort == nil {
            let err = (try? String(contentsOfFile: daemon.stderrPath, encoding: .utf8)) ?? ""
            if err.contains("capturing"), let line = err.split(separator: "\n").first(where: { $0.contains("query API listening") }),
               let field = line.split(separator: " ").first(where: { $0.hasPrefix("port=") }) {
                apiPort = Int(field.dropFirst(5))
            }
            if apiPort == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let api = try #require(apiPort, "the daemon did not start: \(daemon.stderrTail)")

        // 30 stale-version PUTs (409) from three clients and 20 reads, on kept-alive connections.
        let url = "http://127.0.0.1:\(server.port)"
        for client in ["127.0.0.21", "127.0.0.22", "127.0.0.23"] {
            var args: [String] = []
            for i in 0..<10 {
                args += (args.isEmpty ? [] : ["--next"]) + ["--silent", "--output", "/dev/null", "--interface", client,
                                                             "--request", "PUT", "--data", "v=1", "\(url)/api/conflict/\(i)"]
            }
            let r = try ProcessRunner.run(curl, args, timeout: 60)
            #expect(r.succeeded, "\(r.summary)")
        }
        var reads: [String] = []
        for i in 0..<20 { reads += (reads.isEmpty ? [] : ["--next"]) + ["--silent", "--output", "/dev/null", "\(url)/items/\(i)"] }
        #expect(try ProcessRunner.run(curl, reads, timeout: 60).succeeded)

        var rows: [[String: Any]] = []
        for _ in 0..<60 {
            let r = try ProcessRunner.run(bin, ["routes", "--state-dir", prefix.file("state"), "--format", "json"])
            rows = (try? JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]]) ?? []
            if rows.reduce(0, { $0 + ($1["requests"] as? Int ?? 0) }) >= 50 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let conflict = rows.first { ($0["route"] as? String) == "/api/conflict/{id}" }
        #expect(conflict?["requests"] as? Int == 30 && conflict?["conflicts"] as? Int == 30 && conflict?["writers"] as? Int == 3,
                "\(rows); daemon: \(daemon.stderrTail)")
        #expect(rows.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) } == 50, "\(rows)")

        // The status follows a commit once the pipeline's task has heard of it (commits run on
        // a thread of their own): a moment after the store, where `routes` just read them.
        var metrics = try ProcessRunner.run(curl, ["--silent", "http://127.0.0.1:\(api)/metrics"])
        for _ in 0..<80 where !metrics.stdoutText.contains("conflictwatch_exchanges_total 50") {
            try await Task.sleep(for: .milliseconds(50))
            metrics = try ProcessRunner.run(curl, ["--silent", "http://127.0.0.1:\(api)/metrics"])
        }
        #expect(metrics.stdoutText.contains("conflictwatch_exchanges_total 50"), "\(metrics.stdoutText)")
        #expect(metrics.stdoutText.contains("conflictwatch_drops_total 0"), "\(metrics.stdoutText)")
        // The packet counter follows the capture's statistics tick (every second): 50
        // exchanges over keep-alive and new connections are well over 100 packets.
        var packets = 0.0
        for _ in 0..<80 {
            let text = try ProcessRunner.run(curl, ["--silent", "http://127.0.0.1:\(api)/metrics"]).stdoutText
            packets = text.split(separator: "\n").first { $0.hasPrefix("conflictwatch_packets_total ") }
                .flatMap { Double($0.split(separator: " ")[1]) } ?? 0
            #expect(text.contains(#"conflictwatch_packets_dropped_total{reason="kernel"} 0"#), "\(text)")
            if packets >= 100 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(packets >= 100, "conflictwatch_packets_total \(packets)")
        let r = await daemon.terminate(timeout: 10)
        #expect(r.status == 0, "\(r.summary)")

        // `capture -i` with --state-dir is the same daemon on one interface.
        let state2 = prefix.file("state2")
        let capture = try BackgroundProcess(name: "capture", executable: bin, arguments: [
            "capture", "-i", "lo", "-f", "tcp port \(server.port)", "--state-dir", state2], directory: prefix)
        for _ in 0..<100 where !((try? String(contentsOfFile: capture.stderrPath, encoding: .utf8)) ?? "").contains("daemon started") {
            try await Task.sleep(for: .milliseconds(50))
        }
        var puts: [String] = []
        for i in 0..<5 {
            puts += (puts.isEmpty ? [] : ["--next"]) + ["--silent", "--output", "/dev/null", "--request", "PUT", "--data", "v=1", "\(url)/api/precondition/\(i)"]
        }
        #expect(try ProcessRunner.run(curl, puts, timeout: 60).succeeded)
        var stored = 0
        for _ in 0..<60 where stored < 5 {
            let q = try ProcessRunner.run(bin, ["routes", "--state-dir", state2, "--format", "json"])
            stored = ((try? JSONSerialization.jsonObject(with: q.stdout) as? [[String: Any]]) ?? [])
                .filter { $0["route"] as? String == "/api/precondition/{id}" && ($0["statuses"] as? [String: Any])?["412"] as? Int == $0["requests"] as? Int }
                .reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
            if stored < 5 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(stored == 5, "capture daemon: \(capture.stderrTail)")
        let c = await capture.terminate(timeout: 10)
        #expect(c.status == 0, "\(c.summary)")
    }
}
