import Foundation
import Testing

/// The contention model on traffic a real nginx logged (issue 3, "Quality bar"): nginx on
/// 127.0.0.1 proxies to a small backend with real optimistic locking
/// (`Tests/Scripts/VersionedBackend.py`: versions, ETag / If-Match → 412, a stale JSON "version" → 409,
/// duplicate idempotency keys → 409), and `Tests/Scripts/RacingClients.py` drives racing clients from
/// 127.0.0.2…127.0.0.9 (read, think, conditional write on Zipf-chosen orders), then one retry
/// storm from 127.0.0.66 (the same stale If-Match write replayed ~25 times a second), then quiet
/// traffic again. `conflictwatch analyze` of nginx's own `combined` log must report exactly that
/// storm as the one burst, from the right client, on the right route, within two buckets of its
/// start, and its route table must match what the backend counted.
///
/// To keep the run short the model file in the temp dir sets `bucket_seconds` 2 and
/// `warmup_buckets` 5 (every other parameter is the default). nginx and python3 are needed;
/// without nginx the test fails and says so, unless `CONFLICTWATCH_SKIP_NGINX=1` switches it off.
@Suite("a real nginx logs racing clients and one retry storm; the model finds the storm")
struct NginxModelTests {
    static let bucketSeconds = 2.0
    static let warmupBuckets = 5
    /// Phases of the load, seconds: steady traffic, the storm (steady traffic goes on), steady again.
    static let warmupSeconds = 24.0
    static let burstSeconds = 30.0
    static let quietSeconds = 10.0
    static let stormClient = "127.0.0.66"
    static let stormOrder = 13
    static let stormRate = 25
    /// The storm is pinned to the epoch bucket grid the model uses (buckets are aligned to the
    /// epoch), so every run is partial the same way: it starts 1.0 s into a bucket and stops 0.6 s
    /// into one. That last bucket holds ~15 conflicts from the storm client on top of the usual
    /// few: still the same incident, which must not come back as a second alert.
    static let stormStartPhase = 1.0
    static let stormEndPhase = 0.6
    static let orderRoute = "/api/orders/{id}"
    static let conflictStatuses = ["409", "412", "423"]

    /// nginx's `combined` plus the request time as a trailing key=value field.
    static let logFormat = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time"#

    static func configuration(prefix: TemporaryDirectory, port: UInt16, backendPort: Int) -> String {
        let base = NginxServer.baseDirectives(prefix: prefix)
        return """
            \(base.main)
            http {
            \(base.http)
                log_format timed '\(logFormat)';
                keepalive_requests 100000;
                keepalive_timeout 120s;

                upstream versioned_backend {
                    server 127.0.0.1:\(backendPort);
                    keepalive 16;
                }

                server {
                    listen 127.0.0.1:\(port);
                    server_name localhost;
                    access_log \(prefix.file("access.log")) timed;

                    location / {
                        proxy_pass http://versioned_backend;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        # One attempt per request, so nginx's log and the backend's counters agree.
                        proxy_next_upstream off;
                        proxy_read_timeout 10s;
                    }
                }
            }

            """
    }

    static var scriptDirectory: URL {
        // Outside the test target's directory: SwiftPM warns about files it does not build.
        // (`TestEnvironment.packageRoot()` counts levels from the caller's #filePath, which is one
        // level higher here than in Support/, so go up from this file directly.)
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // IntegrationTests
            .deletingLastPathComponent()   // Tests
            .appendingPathComponent("Scripts")
    }

    /// What the backend counted per route (written on SIGTERM).
    struct BackendCounters: Decodable {
        var requests: Int
        var writes: Int
        var statuses: [String: Int]
    }

    /// What the load generator did, in wall-clock epoch seconds.
    struct Timeline: Decodable {
        var start: Double
        var stormStart: Double
        var stormEnd: Double
        var end: Double
        var errors: [String]

        enum CodingKeys: String, CodingKey {
            case start, end, errors
            case stormStart = "storm_start"
            case stormEnd = "storm_end"
        }
    }

    static func bucket(_ date: Date) -> Int { Int((date.timeIntervalSince1970 / bucketSeconds).rounded(.down)) }
    static func bucketStart(_ bucket: Int) -> Date { Date(timeIntervalSince1970: Double(bucket) * bucketSeconds) }

    @Test(
        "the injected retry storm is the one burst alert, and the route table matches the backend",
        .enabled(if: !TestEnvironment.skipNginx, "CONFLICTWATCH_SKIP_NGINX=1 skips the nginx test"),
        .timeLimit(.minutes(3))
    )
    func retryStormBehindNginx() async throws {
        let testStarted = Date()
        guard let nginx = TestEnvironment.requireTool(
                "nginx", "run `make test` (it installs nginx and curl), or set CONFLICTWATCH_SKIP_NGINX=1 to skip this test"),
              let python = TestEnvironment.requireTool(
                "python3", "the test backend and clients are Python 3 scripts (standard library only); install python3, or set CONFLICTWATCH_SKIP_NGINX=1 to skip this test"),
              let binary = TestEnvironment.requireBinary() else { return }

        let dir = try TemporaryDirectory(prefix: "cw-nginx-model")
        defer { dir.remove() }

        // 1. The backend, on a free port it picks itself and reports in a file.
        let portFile = dir.file("backend-port.json")
        let countersFile = dir.file("backend-counters.json")
        let backend = try BackgroundProcess(
            name: "backend", executable: python,
            arguments: [Self.scriptDirectory.appendingPathComponent("VersionedBackend.py").path,
                        "--port-file", portFile, "--counters", countersFile, "--orders", "100",
                        "--max-seconds", "240"],
            directory: dir)
        var backendPort: Int?
        let backendDeadline = Date().addingTimeInterval(15)
        while backendPort == nil, backend.isRunning, Date() < backendDeadline {
            if let data = FileManager.default.contents(atPath: portFile),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                backendPort = object["port"] as? Int
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        guard let backendPort else {
            Issue.record("the test backend did not start: \(backend.stderrTail)")
            return
        }

        // 2. nginx in front of it.
        let server = try NginxServer.start(binary: nginx, prefix: dir, ipv6: false) { port, _ in
            Self.configuration(prefix: dir, port: port, backendPort: backendPort)
        }
        defer { server.stop() }

        // 3. The load: warm-up, storm, quiet. Bounded by the script itself; killed if it overruns.
        let timelineFile = dir.file("timeline.json")
        let clients = try BackgroundProcess(
            name: "clients", executable: python,
            arguments: [Self.scriptDirectory.appendingPathComponent("RacingClients.py").path,
                        "--port", String(server.port), "--timeline", timelineFile,
                        "--warmup", String(Self.warmupSeconds), "--burst", String(Self.burstSeconds),
                        "--quiet", String(Self.quietSeconds), "--storm-client", Self.stormClient,
                        "--storm-order", String(Self.stormOrder), "--storm-rate", String(Self.stormRate),
                        "--orders", "100", "--seed", "7", "--bucket", String(Self.bucketSeconds),
                        "--storm-start-phase", String(Self.stormStartPhase),
                        "--storm-end-phase", String(Self.stormEndPhase)],
            directory: dir)
        let load = await clients.waitForExit(timeout: Self.warmupSeconds + Self.burstSeconds + Self.quietSeconds + 45)
        #expect(load.succeeded, "racing clients: \(load.summary)")
        print("NginxModelTests: \(load.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))")

        // 4. Stop nginx (SIGQUIT flushes the log), then the backend (SIGTERM writes its counters).
        #expect(server.stop(), "nginx did not stop gracefully: \(server.errorLogTail)")
        let backendEnd = await backend.terminate()
        #expect(backendEnd.succeeded, "backend: \(backendEnd.summary)")
        let counters = try JSONDecoder().decode(
            [String: BackendCounters].self,
            from: try #require(FileManager.default.contents(atPath: countersFile), "backend wrote no counters: \(backend.stderrTail)"))
        let timeline = try JSONDecoder().decode(
            Timeline.self, from: try #require(FileManager.default.contents(atPath: timelineFile), "racing clients wrote no timeline"))
        #expect(timeline.errors.isEmpty, "transport errors: \(timeline.errors.prefix(5))")

        // 5. What nginx logged, read independently of conflictwatch.
        let logPath = dir.file("access.log")
        let log = CombinedLogLine.read(logPath)
        #expect(log.unparsed == 0, "\(log.unparsed) lines of nginx's log did not parse")
        let backendTotal = counters.values.reduce(0) { $0 + $1.requests }
        try #require(log.lines.count == backendTotal,
                     "nginx logged \(log.lines.count) requests, the backend answered \(backendTotal)")
        let storm = log.lines.filter { $0.client == Self.stormClient }
        let stormConflicts = storm.filter { $0.status == 412 }
        let firstStorm = try #require(storm.first, "nginx logged nothing from \(Self.stormClient)")
        let firstStormConflict = try #require(stormConflicts.first, "the storm got no 412")
        let lastStorm = try #require(storm.last)
        let stormBucket = Self.bucket(firstStorm.date)

        // The traffic must be what the test claims: a few conflicts per bucket before the storm,
        // a storm far above that (per full bucket), from one client.
        var conflictsPerBucket: [Int: Int] = [:], stormPerBucket: [Int: Int] = [:], writesPerBucket: [Int: Int] = [:]
        for line in log.lines {
            let b = Self.bucket(line.date)
            if ["PUT", "PATCH", "POST", "DELETE"].contains(line.method) { writesPerBucket[b, default: 0] += 1 }
            guard Self.conflictStatuses.contains(String(line.status)) else { continue }
            if line.client == Self.stormClient { stormPerBucket[b, default: 0] += 1 } else { conflictsPerBucket[b, default: 0] += 1 }
        }
        let firstBucket = Self.bucket(try #require(log.lines.first).date)
        let warmBuckets = (firstBucket + 1)..<stormBucket   // full buckets before the storm
        let baseline = warmBuckets.map { conflictsPerBucket[$0] ?? 0 }
        let baselineWrites = warmBuckets.map { writesPerBucket[$0] ?? 0 }
        let fullStormBuckets = (stormBucket + 1)..<Self.bucket(lastStorm.date)
        let stormCounts = fullStormBuckets.map { stormPerBucket[$0] ?? 0 }
        let baselineMean = Double(baseline.reduce(0, +)) / Double(max(baseline.count, 1))
        print("NginxModelTests: \(log.lines.count) requests; before the storm \(baseline.count) full buckets of "
            + "\(Self.bucketSeconds) s: conflicts \(baseline) (mean \(baselineMean)), writes \(baselineWrites); "
            + "storm from \(firstStorm.date) to \(lastStorm.date), \(stormConflicts.count) × 412, per full bucket \(stormCounts)")
        try #require(baseline.count >= Self.warmupBuckets + 2,
                     "only \(baseline.count) full buckets before the storm: the model needs \(Self.warmupBuckets) to warm up")
        try #require(baselineMean >= 0.5 && baselineMean <= 15,
                     "the steady traffic should race a little (a few conflicts per bucket), got \(baseline)")
        try #require(!stormCounts.isEmpty && stormCounts.min()! >= 30,
                     "the storm should be ≥ 30 conflicts per bucket, got \(stormCounts)")

        // 6. conflictwatch on nginx's log, with a short-bucket model file.
        let modelFile = dir.file("model.json")
        try #"{"bucket_seconds": \#(Int(Self.bucketSeconds)), "warmup_buckets": \#(Self.warmupBuckets)}"#
            .write(toFile: modelFile, atomically: true, encoding: .utf8)
        let analyzeStarted = Date()
        let result = try ProcessRunner.run(binary, ["analyze", "--format", "json", "--model", modelFile, logPath], timeout: 60)
        let analyzeSeconds = Date().timeIntervalSince(analyzeStarted)
        try #require(result.succeeded, "analyze: \(result.summary)")
        let report = try AnalyzeReport.decode(result.stdout)

        let bursts = report.alerts.filter { $0.kind == "burst" }
        print("NginxModelTests: analyze took \(String(format: "%.2f", analyzeSeconds)) s; \(report.alerts.count) alerts, \(bursts.count) bursts:")
        for alert in bursts { print("  " + alert.brief) }

        // Route table = the backend's own counters.
        #expect(report.summary.malformed == 0)
        #expect(report.summary.exchanges == backendTotal, "exchanges \(report.summary.exchanges), backend \(backendTotal)")
        for (name, counted) in counters.sorted(by: { $0.key < $1.key }) where name != "other" {
            guard let row = report.routes.first(where: { $0.route == name }) else {
                Issue.record("route \(name) is missing from analyze's routes: \(report.routes.map(\.route))")
                continue
            }
            #expect(row.requests == counted.requests, "\(name): requests \(row.requests), backend \(counted.requests)")
            #expect(row.writes == counted.writes, "\(name): writes \(row.writes), backend \(counted.writes)")
            #expect(row.statuses == counted.statuses, "\(name): statuses \(row.statuses), backend \(counted.statuses)")
            let conflicts = Self.conflictStatuses.reduce(0) { $0 + (counted.statuses[$1] ?? 0) }
            #expect(row.conflicts == conflicts, "\(name): conflicts \(row.conflicts), backend \(conflicts)")
        }
        #expect(counters["other"] == nil, "the backend answered requests outside the API: \(String(describing: counters["other"]))")

        // Exactly one burst: the storm, from its client, on its route, found within 2 buckets.
        let stormStart = Self.bucketStart(stormBucket)
        for alert in bursts {
            let start = AnalyzeReport.date(alert.start)
            #expect(start.map { $0 >= stormStart } == true,
                    "a burst alert before the storm began (\(firstStorm.date)): \(alert.brief)")
        }
        #expect(bursts.count == 1, "expected exactly the injected burst, got \(bursts.count): \(bursts.map(\.brief))")
        let found = try #require(
            bursts.first { $0.client == Self.stormClient || $0.topClients.first?.client == Self.stormClient },
            "no burst alert names \(Self.stormClient): \(bursts.map(\.brief))")
        #expect(found.class.contains("single_client"), "class \(found.class)")
        #expect(found.route == Self.orderRoute, "route \(found.route)")
        #expect(found.client == Self.stormClient, "client \(found.client ?? "null")")
        #expect(found.topClients.first?.client == Self.stormClient, "top_clients \(found.topClients.prefix(3).map(\.client))")
        #expect((found.statuses["412"] ?? 0) > 0, "statuses \(found.statuses)")
        #expect(found.peakCount >= stormCounts.max() ?? 0,
                "peak_count \(found.peakCount) is below the storm's busiest bucket in nginx's log (\(stormCounts.max() ?? 0))")
        #expect(found.expected < Double(found.peakCount) / 3, "expected \(found.expected) for a peak of \(found.peakCount)")
        #expect(!found.reason.isEmpty)
        let start = try #require(AnalyzeReport.date(found.start), "start \(found.start)")
        let conflictStart = Self.bucketStart(Self.bucket(firstStormConflict.date))
        #expect(start >= stormStart && start <= conflictStart.addingTimeInterval(2 * Self.bucketSeconds),
                "the alert starts at \(found.start); the storm's first conflict is at \(firstStormConflict.date) (bucket \(conflictStart))")
        // It stays open through the storm and closes after it (the quiet phase is long enough).
        if let endText = found.end {
            let end = try #require(AnalyzeReport.date(endText), "end \(endText)")
            let lastBucketStart = Self.bucketStart(Self.bucket(lastStorm.date))
            #expect(end >= lastBucketStart.addingTimeInterval(-Self.bucketSeconds)
                        && end <= lastBucketStart.addingTimeInterval(2 * Self.bucketSeconds),
                    "the alert ends at \(endText); the storm's last request is at \(lastStorm.date)")
        } else {
            Issue.record("the alert is still open (end null) after \(Self.quietSeconds) s of quiet traffic: \(found.brief)")
        }
        print("NginxModelTests: total \(String(format: "%.1f", Date().timeIntervalSince(testStarted))) s")
    }
}
