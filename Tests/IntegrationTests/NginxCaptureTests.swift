import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Drives a real nginx on 127.0.0.1 while `tcpdump -i lo -w` and `conflictwatch capture -i lo`
/// both record the loopback, then checks that the exchanges reconstructed from the packets —
/// by `conflictwatch parse FILE.pcap` and by the live capture — are exactly nginx's own access
/// log (client, method, target, status). The traffic covers keep-alive, pipelining, chunked
/// requests and responses, `Expect: 100-continue`, HEAD, a 2 MiB body, and concurrent
/// connections from several 127.0.0.x addresses.
///
/// Needs nginx, curl and tcpdump (installed by `make test`) and the right to capture (root or
/// CAP_NET_RAW). `CONFLICTWATCH_SKIP_NGINX=1` or `CONFLICTWATCH_SKIP_CAPTURE=1` switch it off.
@Suite("nginx serves, tcpdump and conflictwatch capture, the access log is the truth")
struct NginxCaptureTests {
    /// One logged request: what nginx's access log and the capture must agree on.
    struct Entry: Hashable, Comparable, CustomStringConvertible {
        var client: String
        var method: String
        var target: String
        var status: Int
        var description: String { "\(client) \(method) \(target) \(status)" }
        static func < (a: Entry, b: Entry) -> Bool { a.description < b.description }
    }

    static func configuration(prefix: TemporaryDirectory, port: UInt16) -> String {
        let base = NginxServer.baseDirectives(prefix: prefix)
        return """
            \(base.main)
            http {
            \(base.http)
                log_format capture '$remote_addr "$request_method" "$request_uri" $status';
                access_log \(prefix.file("access.log")) capture;
                keepalive_requests 1000;
                server {
                    listen 127.0.0.1:\(port);
                    location / { return 200 "ok\\n"; }
                    location /api/conflict/ { return 409 "stale version\\n"; }
                    location /api/precondition/ { return 412; }
                    location /files/ { alias \(prefix.file("files"))/; }
                    location /gzip/ { alias \(prefix.file("files"))/; gzip on; gzip_min_length 1; gzip_types *; }
                }
            }
            """
    }

    static func readAccessLog(_ path: String) throws -> [Entry] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\"")
            guard parts.count == 5, let status = Int(parts[4].trimmingCharacters(in: .whitespaces)) else {
                throw RawHTTPConnection.Failure(description: "unexpected access log line: \(line)")
            }
            return Entry(client: parts[0].trimmingCharacters(in: .whitespaces), method: String(parts[1]), target: String(parts[3]), status: status)
        }
    }

    static func entries(fromParse output: String) throws -> [Entry] {
        try output.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let client = object["client"] as? String, let method = object["method"] as? String,
                  let path = object["path"] as? String else {
                throw RawHTTPConnection.Failure(description: "unexpected parse output line: \(line)")
            }
            let query = object["query"] as? String
            return Entry(client: client, method: method, target: path + (query.map { "?" + $0 } ?? ""), status: object["status"] as? Int ?? -1)
        }
    }

    /// Waits until `path` contains `marker` (a capture tool saying it is listening).
    static func waitFor(_ marker: String, in path: String, seconds: Double = 15) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8), text.contains(marker) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func loopbackCaptureMatchesTheAccessLog() async throws {
        if TestEnvironment.skipNginx || TestEnvironment.environment["CONFLICTWATCH_SKIP_CAPTURE"] == "1" { return }
        guard let nginx = ExecutableLocator.find("nginx"), let curl = ExecutableLocator.find("curl"),
              let tcpdump = ExecutableLocator.find("tcpdump") else {
            Issue.record("nginx, curl and tcpdump are needed: run `make test` (it installs them), or set CONFLICTWATCH_SKIP_CAPTURE=1")
            return
        }
        guard geteuid() == 0 else {
            Issue.record("capturing the loopback needs root or CAP_NET_RAW: run the tests as root, or set CONFLICTWATCH_SKIP_CAPTURE=1")
            return
        }
        let binary = TestEnvironment.conflictwatchBinary
        let prefix = try TemporaryDirectory(prefix: "cw-capture")
        defer { prefix.remove() }
        try FileManager.default.createDirectory(atPath: prefix.file("files"), withIntermediateDirectories: true)
        // 2 MiB: many full-size loopback segments; text, so gzip makes a chunked response.
        let big = String(repeating: "conflictwatch large body line 0123456789abcdef\n", count: 2 << 20 / 48)
        try big.write(toFile: prefix.file("files/big.txt"), atomically: true, encoding: .utf8)
        try "small\n".write(toFile: prefix.file("files/small.txt"), atomically: true, encoding: .utf8)
        try String(repeating: "x", count: 300_000).write(toFile: prefix.file("body.bin"), atomically: true, encoding: .utf8)

        let server = try NginxServer.start(binary: nginx, prefix: prefix, ipv6: false) { port, _ in
            Self.configuration(prefix: prefix, port: port)
        }
        defer { server.stop() }
        let port = server.port
        let filter = "tcp port \(port)"
        let pcap = prefix.file("lo.pcap")
        // The test runner's children inherit SIGINT/SIGTERM ignored; env puts them back so
        // tcpdump can be stopped cleanly (and flush) like from a terminal.
        let dump = try BackgroundProcess(name: "tcpdump", executable: "/usr/bin/env", arguments: ["--default-signal=INT,TERM", tcpdump, "-i", "lo", "--immediate-mode", "-U", "-s", "0", "-B", "65536", "-w", pcap, filter], directory: prefix)
        let live = try BackgroundProcess(name: "capture", executable: binary,
                                         arguments: ["capture", "-i", "lo", "-f", filter, "--format", "jsonl", "--keep-query"], directory: prefix)
        guard await Self.waitFor("listening on", in: dump.stderrPath), await Self.waitFor("capturing on", in: live.stderrPath) else {
            Issue.record("the captures did not start: tcpdump: \(dump.stderrTail); conflictwatch: \(live.stderrTail)")
            return
        }

        let url = "http://127.0.0.1:\(port)"
        /// One curl run: the requests go out one after another on one kept-alive connection.
        func curlFrom(_ source: String, _ requests: [[String]]) throws {
            let common = ["--silent", "--show-error", "--output", "/dev/null", "--interface", source]
            let args = requests.enumerated().flatMap { i, r in (i > 0 ? ["--next"] : []) + common + r }
            let r = try ProcessRunner.run(curl, args, timeout: 60)
            if !r.succeeded { throw RawHTTPConnection.Failure(description: "curl \(args): \(r.summary)") }
        }
        // Keep-alive: several requests on one connection, writes among them.
        try curlFrom("127.0.0.2", [["\(url)/api/orders/1"], ["\(url)/api/orders/2?expand=items"], ["-X", "PUT", "\(url)/api/conflict/orders/3"],
                                   ["-X", "POST", "\(url)/api/precondition/orders/4"]])
        // HEAD, a large body twice, chunked (gzip) responses.
        try curlFrom("127.0.0.3", [["--head", "\(url)/files/small.txt"], ["\(url)/files/big.txt"], ["\(url)/files/big.txt"]])
        try curlFrom("127.0.0.4", [["-H", "Accept-Encoding: gzip", "\(url)/gzip/big.txt"], ["-H", "Accept-Encoding: gzip", "\(url)/gzip/small.txt"]])
        // Expect: 100-continue with a body, a chunked request body, a query on a DELETE.
        try curlFrom("127.0.0.5", [
            ["-X", "PUT", "-H", "Expect: 100-continue", "--data-binary", "@\(prefix.file("body.bin"))", "\(url)/api/orders/5"],
            ["-X", "PATCH", "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(prefix.file("body.bin"))", "\(url)/api/conflict/orders/5"],
            ["-X", "DELETE", "\(url)/api/precondition/orders/5?force=1"],
        ])
        // Pipelining: eight requests in one write, answered in order.
        var pipelined = ""
        for i in 0..<8 {
            let method = ["GET", "PUT", "DELETE", "HEAD"][i % 4]
            let target = i % 3 == 0 ? "/api/conflict/items/\(i)" : "/api/items/\(i)?page=\(i)"
            pipelined += "\(method) \(target) HTTP/1.1\r\nHost: shop\r\n" + (method == "PUT" ? "Content-Length: 2\r\n\r\n{}" : "\r\n")
        }
        pipelined += "GET /last HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n"
        let reply = try RawHTTPConnection.exchange(source: "127.0.0.6", port: port, bytes: Array(pipelined.utf8))
        #expect(String(decoding: reply, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").count - 1 == 9)
        // Concurrent connections from several addresses.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for k in 7..<13 {
                group.addTask {
                    try curlFrom("127.0.0.\(k)", (0..<5).map { i in ["-X", i % 2 == 0 ? "PUT" : "GET", "\(url)/api/orders/\(k * 10 + i)"] })
                }
            }
            try await group.waitForAll()
        }

        try await Task.sleep(for: .milliseconds(300))
        // SIGINT, as Ctrl-C would: both flush and exit.
        kill(dump.processIdentifier, SIGINT)
        kill(live.processIdentifier, SIGINT)
        let dumped = await dump.waitForExit(timeout: 10)
        let captured = await live.waitForExit(timeout: 10)
        #expect(captured.succeeded, "conflictwatch capture -i lo: \(captured.summary)")
        #expect(!dumped.timedOut, "tcpdump: \(dumped.summary)")
        #expect(dumped.stderrText.contains("\n0 packets dropped by kernel"), "tcpdump: \(dumped.summary)")
        server.stop()

        let truth = try Self.readAccessLog(prefix.file("access.log")).sorted()
        #expect(truth.count == 51)
        let parsed = try ProcessRunner.run(binary, ["parse", "--keep-query", pcap], timeout: 60)
        #expect(parsed.succeeded, "parse \(pcap): \(parsed.summary)")
        let fromFile = try Self.entries(fromParse: parsed.stdoutText).sorted()
        #expect(fromFile == truth, "pcap: missing \(Set(truth).subtracting(fromFile)), extra \(Set(fromFile).subtracting(truth))")
        let fromLive = try Self.entries(fromParse: captured.stdoutText).sorted()
        #expect(fromLive == truth, "live: missing \(Set(truth).subtracting(fromLive)), extra \(Set(fromLive).subtracting(truth))")
        #expect(captured.stderrText.contains("dropped 0 packets in the kernel"), "live: \(captured.stderrText)")

        // The analysis of the capture sees the same exchanges (summary.lines counts packets).
        let analyzed = try ProcessRunner.run(binary, ["analyze", "--format", "json", pcap], timeout: 60)
        let summary = (try JSONSerialization.jsonObject(with: analyzed.stdout) as? [String: Any])?["summary"] as? [String: Any]
        #expect(summary?["exchanges"] as? Int == truth.count)
        #expect((summary?["lines"] as? Int ?? 0) > truth.count * 3)
    }
}
