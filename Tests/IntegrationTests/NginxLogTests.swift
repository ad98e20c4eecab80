import Foundation
import Testing

/// Drives a real nginx on 127.0.0.1 (and [::1] when the loopback has IPv6), sends a known set of
/// requests with curl from several source addresses, and checks that `conflictwatch parse` gives
/// back exactly those requests, in order, from three logs nginx wrote for the same server:
/// `combined`, a custom `log_format` (given verbatim to `--log-format`) and an `escape=json` one.
///
/// nginx and curl are installed by `make test`. Without nginx the test fails and says so, unless
/// `CONFLICTWATCH_SKIP_NGINX=1` switches it off.
@Suite("nginx writes the logs, conflictwatch parses them")
struct NginxLogTests {
    /// The custom format: combined plus request time, request id and host as trailing fields.
    static let customFormat = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time id=$request_id host=$host"#

    /// An `escape=json` format with nginx variable names as keys.
    static let jsonFormat = #"{"time_iso8601":"$time_iso8601","msec":$msec,"remote_addr":"$remote_addr","request_method":"$request_method","request_uri":"$request_uri","status":$status,"body_bytes_sent":$body_bytes_sent,"request_time":$request_time,"http_user_agent":"$http_user_agent","host":"$host","request_id":"$request_id"}"#

    enum LogKind: String, CustomStringConvertible {
        case combined, custom, json
        var description: String { rawValue }
        var file: String { "\(rawValue).log" }
    }

    static let uuid = "550e8400-e29b-41d4-a716-446655440000"

    /// User agents that are awkward to log: quotes, backslashes, UTF-8, runs of spaces, a tab.
    static let userAgents: [String?] = [
        "conflictwatch-it/1.0",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        #"agent with "double quotes" inside"#,
        #"back\slash\\agent"#,
        "Grüße aus Köln ☕",
        "many   inner   spaces",
        #"mixed \"escaped\" quote and \ and ü"#,
        nil,
        "tab\tinside",
    ]

    /// The requests, in the order they are sent. Statuses: 200 anywhere, 409 under /api/conflict/,
    /// 412 under /api/precondition/ (see `configuration`).
    static func requests(ipv6: Bool) -> [SentRequest] {
        let shapes: [(String, String, String?, Int, String?)] = [
            ("GET", "/api/orders/42", nil, 200, "/api/orders/{id}"),
            ("PUT", "/api/orders/42", nil, 200, "/api/orders/{id}"),
            ("PATCH", "/api/orders/42", "version=3", 200, "/api/orders/{id}"),
            ("POST", "/api/orders", nil, 200, nil),
            ("DELETE", "/api/orders/42", nil, 200, "/api/orders/{id}"),
            ("HEAD", "/api/orders/42", nil, 200, "/api/orders/{id}"),
            ("OPTIONS", "/api/orders", nil, 200, nil),
            ("PUT", "/api/conflict/orders/7", nil, 409, nil),
            ("PATCH", "/api/conflict/orders/7", "if_version=12", 409, nil),
            ("PUT", "/api/precondition/carts/\(uuid)", nil, 412, nil),
            ("GET", "/api/users/\(uuid)/profile", "fields=name,email&lang=de", 200, "/api/users/{uuid}/profile"),
            ("GET", "/search", "q=a%20b&page=2", 200, nil),
            ("DELETE", "/api/conflict/items/99", nil, 409, nil),
            ("POST", "/api/precondition/docs/abc123", "lock=1", 412, nil),
            ("GET", "/files/r%C3%A9sum%C3%A9.pdf", nil, 200, nil),
            ("GET", "/", nil, 200, nil),
            ("POST", "/api/orders/1001/items", "expand=true", 200, nil),
            ("PUT", "/api/orders/1001/items/3", nil, 200, nil),
            ("PATCH", "/api/conflict/orders/1001", nil, 409, nil),
            ("DELETE", "/api/precondition/orders/1001", nil, 412, nil),
            ("GET", "/api/orders/1001", "a=1&b=2&c=%2F", 200, "/api/orders/{id}"),
            ("HEAD", "/health", nil, 200, nil),
            ("OPTIONS", "/api/conflict/orders/1", nil, 409, nil),
            ("GET", "/static/app.v2.js", nil, 200, nil),
            ("PUT", "/api/orders/42", nil, 200, "/api/orders/{id}"),
            ("PUT", "/api/orders/42", "force=1", 200, "/api/orders/{id}"),
            ("PUT", "/api/conflict/orders/42", nil, 409, nil),
            ("PURGE", "/cache/items/7", nil, 200, nil),
            ("POST", "/api/orders", "idempotency_key=k-1", 200, nil),
            ("POST", "/api/conflict/orders", nil, 409, nil),
            ("GET", "/api/orders", "page=1&per_page=50&sort=-created", 200, nil),
            ("PATCH", "/api/precondition/users/\(uuid)", nil, 412, nil),
            ("DELETE", "/api/orders/77", "cascade=true", 200, "/api/orders/{id}"),
            ("GET", "/api/orders/77/history", nil, 200, nil),
            ("PUT", "/api/orders/77", nil, 200, "/api/orders/{id}"),
            ("GET", "/robots.txt", nil, 200, nil),
        ]
        let clients = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
        var list: [SentRequest] = []
        for (i, s) in shapes.enumerated() {
            list.append(SentRequest(
                method: s.0, path: s.1, query: s.2, client: clients[i % clients.count],
                userAgent: userAgents[i % userAgents.count], expectedStatus: s.3, expectedRoute: s.4))
        }
        if ipv6 {
            list += [
                SentRequest(method: "GET", path: "/api/orders/5", query: nil, client: "::1",
                            userAgent: "ipv6-client/1.0", expectedStatus: 200, expectedRoute: "/api/orders/{id}"),
                SentRequest(method: "PUT", path: "/api/conflict/orders/5", query: nil, client: "::1",
                            userAgent: #"v6 "quoted" agent"#, expectedStatus: 409, expectedRoute: nil),
                SentRequest(method: "PATCH", path: "/api/orders/5", query: "v=2", client: "::1",
                            userAgent: "Grüße v6", expectedStatus: 200, expectedRoute: "/api/orders/{id}"),
                SentRequest(method: "DELETE", path: "/api/precondition/orders/5", query: nil, client: "::1",
                            userAgent: nil, expectedStatus: 412, expectedRoute: nil),
            ]
        }
        return list
    }

    static func configuration(prefix: TemporaryDirectory, port: UInt16, ipv6: Bool) -> String {
        let base = NginxServer.baseDirectives(prefix: prefix)
        return """
            \(base.main)
            http {
            \(base.http)
                log_format custom '\(customFormat)';
                log_format jsonlog escape=json '\(jsonFormat)';

                server {
                    listen 127.0.0.1:\(port);
                    \(ipv6 ? "listen [::1]:\(port);" : "")
                    server_name localhost;
                    access_log \(prefix.file(LogKind.combined.file)) combined;
                    access_log \(prefix.file(LogKind.custom.file)) custom;
                    access_log \(prefix.file(LogKind.json.file)) jsonlog;

                    location / { return 200 "ok"; }
                    location /api/conflict/ { return 409; }
                    location /api/precondition/ { return 412; }
                }
            }

            """
    }

    @Test(
        "three nginx logs of the same traffic parse back to exactly the requests sent",
        .enabled(if: !TestEnvironment.skipNginx, "CONFLICTWATCH_SKIP_NGINX=1 skips the nginx test"),
        .timeLimit(.minutes(5))
    )
    func nginxLogsRoundTrip() throws {
        let nginxHint = "run `make test` (it installs nginx and curl), or set CONFLICTWATCH_SKIP_NGINX=1 to skip this test"
        guard let nginx = TestEnvironment.requireTool("nginx", nginxHint),
              let curl = TestEnvironment.requireTool("curl", "run `make test` (it installs nginx and curl)"),
              let binary = TestEnvironment.requireBinary() else { return }

        let prefix = try TemporaryDirectory(prefix: "cw-nginx")
        defer { prefix.remove() }
        let ipv6 = LoopbackSocket.ipv6LoopbackAvailable
        if !ipv6 {
            print("NginxLogTests: ::1 is not available on this host, IPv6 requests skipped")
        }
        let server = try NginxServer.start(binary: nginx, prefix: prefix, ipv6: ipv6) { port, v6 in
            Self.configuration(prefix: prefix, port: port, ipv6: v6)
        }
        defer { server.stop() }

        // Send everything, one request at a time, so the logs hold them in this order.
        let sent = Self.requests(ipv6: ipv6)
        let client = CurlClient(curl: curl, port: server.port)
        let windowStart = Date()
        for request in sent {
            let status = try client.send(request)
            #expect(status == request.expectedStatus, "nginx answered \(status) to \(request)")
        }
        let windowEnd = Date()
        // SIGQUIT: nginx finishes, flushes and closes its logs before it exits.
        #expect(server.stop(), "nginx did not stop gracefully: \(server.errorLogTail)")

        // Logged times have whole seconds (and nginx caches its clock per event-loop turn).
        let window = Date(timeIntervalSince1970: windowStart.timeIntervalSince1970.rounded(.down) - 1)
            ... Date(timeIntervalSince1970: windowEnd.timeIntervalSince1970.rounded(.up) + 1)

        for kind in [LogKind.combined, .custom, .json] {
            let text = (try? String(contentsOfFile: prefix.file(kind.file), encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n").count
            try #require(lines == sent.count,
                         "nginx wrote \(lines) lines to \(kind.file), expected \(sent.count): \(server.errorLogTail)")
        }

        let runs: [(LogKind, String, Bool)] = [
            (.combined, "combined", true),
            (.combined, "auto", false),
            (.custom, Self.customFormat, true),
            (.json, "json", true),
            (.json, "auto", false),
        ]
        var requestIDs: [LogKind: [String?]] = [:]
        for (kind, format, keepQuery) in runs {
            let path = prefix.file(kind.file)
            var args = ["parse", "--log-format", format]
            if keepQuery { args.append("--keep-query") }
            args.append(path)
            let label = "\(kind.file) --log-format \(format == Self.customFormat ? "'<custom>'" : format)"
                + (keepQuery ? " --keep-query" : "")
            let result = try ProcessRunner.run(binary, args, timeout: 60)
            #expect(result.succeeded, "\(label): \(result.summary)")
            let decoded = ParsedExchange.decodeLines(result.stdout)
            #expect(decoded.problems.isEmpty, "\(label): \(decoded.problems.prefix(3))")
            try #require(decoded.records.count == sent.count,
                         "\(label): \(decoded.records.count) records for \(sent.count) requests; stderr: \(result.stderrText)")
            for (index, (record, request)) in zip(decoded.records, sent).enumerated() {
                check(record, against: request, line: index + 1, kind: kind, path: path,
                      keepQuery: keepQuery, window: window, label: label)
            }
            requestIDs[kind] = decoded.records.map(\.requestID)
        }
        // The same request carries the same $request_id in the custom and the JSON log.
        if let custom = requestIDs[.custom], let json = requestIDs[.json] {
            #expect(custom == json, "request ids differ between custom.log and json.log")
        }
    }

    /// Compares one parsed record with the request that produced it.
    func check(
        _ record: ParsedExchange, against request: SentRequest, line: Int, kind: LogKind, path: String,
        keepQuery: Bool, window: ClosedRange<Date>, label: String
    ) {
        let at = "\(label) line \(line) (\(request))"
        #expect(record.source == "\(path):\(line)", "\(at): source \(record.source)")
        #expect(record.client == request.client, "\(at): client")
        #expect(record.method == request.method, "\(at): method")
        #expect(record.path == request.path, "\(at): path")
        #expect(record.query == (keepQuery ? request.query : nil), "\(at): query")
        #expect(record.status == request.expectedStatus, "\(at): status")
        if let route = request.expectedRoute {
            #expect(record.route == route, "\(at): route")
        } else {
            #expect(record.route.hasPrefix("/"), "\(at): route \(record.route)")
        }
        if let date = record.date {
            #expect(window.contains(date), "\(at): time \(record.time) outside \(window)")
        } else {
            Issue.record("\(at): time \(record.time) is not RFC 3339 UTC with 6 fractional digits")
        }

        // Response bytes: HEAD has no body, `return 200 "ok"` sends 2, error pages send some.
        if request.method == "HEAD" {
            #expect(record.bytes == 0, "\(at): bytes")
        } else if request.expectedStatus == 200 {
            #expect(record.bytes == 2, "\(at): bytes")
        } else {
            #expect((record.bytes ?? 0) > 0, "\(at): bytes \(String(describing: record.bytes))")
        }

        // User agent. In combined and custom logs it is returned as logged: nginx has already
        // written `"`, `\`, control bytes and non-ASCII bytes as `\xHH`, and the parser does not
        // undo that (the contract: fields "as logged"; `-` gives null). In the escape=json log it
        // is a JSON string, so the parser's JSON decoding gives back the original text; an absent
        // header is logged there as "" (nginx writes no `-` in JSON), read as "" or null.
        switch kind {
        case .combined, .custom:
            #expect(record.userAgent == request.userAgent.map(NginxLogEscaping.escaped), "\(at): user_agent")
        case .json:
            if let ua = request.userAgent {
                #expect(record.userAgent == ua, "\(at): user_agent")
            } else {
                #expect(record.userAgent == nil || record.userAgent == "", "\(at): user_agent")
            }
        }

        // Fields only the custom and JSON formats carry: host, request time, request id.
        switch kind {
        case .combined:
            #expect(record.host == nil, "\(at): host")
            #expect(record.latencyMs == nil, "\(at): latency_ms")
            #expect(record.requestID == nil, "\(at): request_id")
        case .custom, .json:
            let hosts: Set<String> = request.isIPv6 ? ["[::1]", "::1"] : ["127.0.0.1"]
            #expect(record.host.map(hosts.contains) == true, "\(at): host \(String(describing: record.host))")
            #expect(record.latencyMs.map { $0 >= 0 && $0 < 10_000 } == true,
                    "\(at): latency_ms \(String(describing: record.latencyMs))")
            let id = record.requestID ?? ""
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "\(at): request_id \(id)")
        }
    }
}
