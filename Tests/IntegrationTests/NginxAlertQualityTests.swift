import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Alerts an operator can trust on traffic nobody tuned the model to (issue 9), seen through a
/// real nginx on 127.0.0.1.
///
/// Two unrelated services sit behind nginx, both `Tests/Scripts/VersionedBackend.py`: a ledger
/// API (`/v2/accounts/{uuid}/ledger`, If-Match → 412) and a documents API
/// (`/api/documents/{id}`, a JSON "version" → 409, and `/api/contracts/{id}`, whose signed
/// contracts refuse every write with 409). `Tests/Scripts/IncidentTraffic.py` drives Zipf-popular
/// racing clients on both, contracts edited each by its one owner (about 5% of those writes
/// refused all the time: not a race, not an incident), and three incidents one after the other,
/// each pinned to the epoch bucket grid: a retry storm by one client among the ledger's many
/// normal 412s, a deploy-like regression (the documents backend answers 409 to ~96% of writes
/// for 10 s; the clients do nothing different), and a stampede of four new clients on one cold
/// account.
///
/// Three `conflictwatch tail` daemons follow nginx's log while it is written: one runs
/// throughout (the control: a difference it shares is the daemon's, not the restart's), one
/// gets SIGTERM and one kill -9 in the middle of the storm, after its storm alert opened, and
/// each is restarted on its state dir at once. The tests then hold
/// `analyze --format json` of the whole log to what an operator needs (each incident, with the
/// right class, client and timing; no alert on the quiet route; a handful of alerts at most), and
/// each daemon's `alerts --format json` to `analyze`'s list (SPEC §5.5, §6: same ids, kinds,
/// classes, clients, starts; no duplicate, no close-and-reopen at the restart).
///
/// The traffic runs once (~75 s) for the whole suite; the tests only read what it left. The model
/// runs five times faster than the default one, every time constant scaled alike (2 s buckets
/// instead of 10, half-lives and windows a fifth of their defaults, `warmup_buckets` 5), so a
/// minute of traffic plays the part of five; no threshold differs from the default.
/// nginx and python3 are needed; without nginx the tests fail and say so, unless
/// `CONFLICTWATCH_SKIP_NGINX=1` switches them off.
@Suite(
    "real nginx, two unseen APIs, three incidents: alerts an operator can trust, also across restarts",
    .enabled(if: !TestEnvironment.skipNginx, "CONFLICTWATCH_SKIP_NGINX=1 skips the nginx tests")
)
struct NginxAlertQualityTests {
    /// Alerts beyond the incidents' own (one burst and one hot spot each at most) that an
    /// operator is asked to accept in ~80 s of this traffic.
    static let maxExtraAlerts = 3
    /// An incident counts as found when an alert for it starts at most this many buckets after
    /// the bucket the incident started in.
    static let maxDelayBuckets = 2
    /// `hotspot_threshold` of the default model (the test's model file leaves it alone).
    static let hotspotThreshold = 0.5

    // MARK: analyze

    @Test("analyze: each incident found in time with the right diagnosis, nothing on the quiet route, little else",
          .timeLimit(.minutes(4)))
    func analyzeFindsTheIncidents() async throws {
        let run = try await IncidentRun.shared.outcome()
        for problem in run.problems { Issue.record("\(problem)") }
        let plan = run.plan, report = run.report
        let grid = BucketGrid(plan)

        // The traffic must be what the test claims, or the verdicts below mean nothing.
        let shape = TrafficShape(run.log, plan: plan)
        print(shape.table)
        try #require(shape.warmBuckets >= IncidentRun.warmupBuckets + 2,
                     "only \(shape.warmBuckets) full buckets before the storm")
        #expect(shape.ledgerNormalMean >= 5, "the ledger should race often (a busy route with many normal 412s): \(shape.ledgerNormalMean) per bucket")
        try #require(shape.stormPerFullBucket.min() ?? 0 >= 12, "the storm per full bucket: \(shape.stormPerFullBucket)")
        #expect(shape.stormShareOfLedger <= 0.75,
                "the storm should hide among normal conflicts (≤ 75% of the route's conflicts while it runs), got \(shape.stormShareOfLedger)")
        #expect(shape.contractRefusedShare >= 0.02 && shape.contractRefusedShare <= 0.09,
                "the contracts route should refuse ~5% of writes, got \(shape.contractRefusedShare)")
        #expect(shape.contractsWithSeveralWriters.isEmpty, "contracts written by more than one client: \(shape.contractsWithSeveralWriters)")
        #expect(shape.documentsRatioBefore <= 0.4 && shape.documentsRatioDuringRegression >= 0.8,
                "the regression should take documents from a normal ratio to nearly every write refused: \(shape.documentsRatioBefore) → \(shape.documentsRatioDuringRegression)")
        #expect(shape.documentsWriteGrowth < 1.8,
                "the regression should leave the write rate nearly alone (clients retry once), got ×\(shape.documentsWriteGrowth)")
        #expect(Double(shape.stampedeWritesBefore) < Double(shape.bucketsBeforeStampede) && shape.strayStampedeWrites == 0,
                "the stampede's account should be cold before it (\(shape.stampedeWritesBefore) writes in \(shape.bucketsBeforeStampede) buckets) and its clients new (\(shape.strayStampedeWrites) writes elsewhere)")
        #expect(shape.stampedePerFullBucket.min() ?? 0 >= 15, "stampede conflicts per full bucket: \(shape.stampedePerFullBucket)")

        // The route table is nginx's log as the backends counted it.
        #expect(report.summary.malformed == 0)
        #expect(report.summary.exchanges == run.log.count, "exchanges \(report.summary.exchanges), nginx logged \(run.log.count)")
        for (name, counted) in run.backendCounters.sorted(by: { $0.key < $1.key }) {
            guard let row = report.routes.first(where: { $0.route == name }) else {
                Issue.record("route \(name) is missing from analyze's routes: \(report.routes.map(\.route))")
                continue
            }
            #expect(row.writes == counted.writes && row.statuses == counted.statuses,
                    "\(name): writes \(row.writes) statuses \(row.statuses); backend \(counted.writes) \(counted.statuses)")
        }

        print("NginxAlertQualityTests: analyze took \(String(format: "%.2f", run.analyzeSeconds)) s, \(report.alerts.count) alerts "
            + "(\(report.alerts.filter { $0.kind == "burst" }.count) burst, \(report.alerts.filter { $0.kind == "hotspot" }.count) hotspot):")
        for alert in report.alerts { print("  " + alert.line(grid)) }

        let verdict = IncidentVerdict(report.alerts, plan: plan)
        print(verdict.summary(grid))

        // (a) The retry storm: one burst, `single_client`, naming the client, in time.
        let stormBursts = verdict.bursts(of: .storm)
        #expect(stormBursts.count == 1, "one burst for the storm, got \(stormBursts.count): \(stormBursts.map(\.brief))")
        // With several, judge the likeliest one: the rest is the count's failure.
        if let storm = stormBursts.first(where: { $0.client == plan.storm.client }) ?? stormBursts.first {
            #expect(storm.class.contains("single_client"), "the storm is one client's excess: class \(storm.class)")
            #expect(storm.client == plan.storm.client, "client \(storm.client ?? "null"), the storm came from \(plan.storm.client ?? "?")")
            #expect(storm.topClients.first?.client == plan.storm.client, "top_clients \(storm.topClients.prefix(3).map(\.client))")
            #expect(!storm.class.contains("route_wide"), "class \(storm.class): one client is not a route-wide regression")
        }
        // (b) The regression: a burst, `ratio_driven` (0% → 96% is not "more load").
        let regressionBursts = verdict.bursts(of: .regression)
        #expect(regressionBursts.count == 1, "one burst for the regression, got \(regressionBursts.count): \(regressionBursts.map(\.brief))")
        if let regression = regressionBursts.first {
            #expect(regression.class.contains("ratio_driven"), "class \(regression.class)")
            #expect(!regression.class.contains("load_driven"),
                    "class \(regression.class): writes rose only ×\(String(format: "%.2f", shape.documentsWriteGrowth)) while the ratio left its range")
            #expect(regression.client == nil, "client \(regression.client ?? "null"): every client was refused")
        }
        // (c) The stampede: some alert names its account.
        #expect(verdict.naming(.stampede).count >= 1,
                "no alert names \(plan.stampede.resource ?? "?") during the stampede: \(verdict.alerts(of: .stampede).map(\.brief))")
        #expect(verdict.bursts(of: .stampede).count <= 1, "the stampede split into several bursts: \(verdict.bursts(of: .stampede).map(\.brief))")
        // A burst is not required of it (an emerging hot spot is the earlier warning), but one
        // that is raised must say what it is: one object, many new writers.
        for burst in verdict.bursts(of: .stampede) {
            #expect(burst.class.contains("single_resource") && IncidentVerdict.names(burst, plan.stampede.resource),
                    "the stampede's burst should be `single_resource` on \(plan.stampede.resource ?? "?"): \(burst.brief) resource \(burst.resource ?? "null")")
        }

        // Each found within two buckets of its start (none before it: that would be a false alert).
        for incident in Incident.allCases {
            let delay = verdict.delayBuckets(incident, grid)
            #expect(delay.map { $0 >= 0 && $0 <= Self.maxDelayBuckets } == true,
                    "\(incident): found \(delay.map { "\($0) buckets" } ?? "never") after its start (at most \(Self.maxDelayBuckets))")
        }

        // Nothing on the route whose refusals are locks, not races.
        let quiet = report.alerts.filter { $0.route == plan.quietRoute || ($0.resource ?? "").hasPrefix("/api/contracts/") }
        #expect(quiet.count == 0, "\(quiet.count) alerts on \(plan.quietRoute), which only refuses writes to signed contracts: \(quiet.prefix(5).map(\.brief))")
        // Nor does its lock make its contracts look about to race: a route's non-race 409s must
        // not inflate its calibration (SPEC §5.3), so none of them ranks at the alert threshold.
        let quietRanked = (report.hotspots ?? []).filter { $0.route == plan.quietRoute && $0.probability >= Self.hotspotThreshold }
        #expect(quietRanked.count == 0,
                "\(quietRanked.count) contracts ranked at probability ≥ \(Self.hotspotThreshold): \(quietRanked.prefix(5).map { "\($0.resource) \($0.probability)" })")
        // And little else: no burst on steady traffic (SPEC: ≤ 1 false burst an hour), a few
        // alerts at most beyond the incidents.
        let falseBursts = verdict.unattributed.filter { $0.kind == "burst" }
        #expect(falseBursts.count == 0, "\(falseBursts.count) bursts outside the incidents: \(falseBursts.map(\.brief))")
        #expect(verdict.extra.count <= Self.maxExtraAlerts,
                "\(verdict.extra.count) alerts beyond the incidents (at most \(Self.maxExtraAlerts)); first: \(verdict.extra.prefix(5).map(\.brief))")
    }

    // MARK: daemons

    @Test("an uninterrupted tail daemon stores the alerts analyze reports", .timeLimit(.minutes(4)))
    func controlDaemonMatchesAnalyze() async throws {
        let run = try await IncidentRun.shared.outcome()
        try checkDaemon(try #require(run.daemons.first { $0.stop == .control }), run)
    }

    @Test("SIGTERM in the middle of the storm, restart: the same alerts as analyze", .timeLimit(.minutes(4)))
    func sigtermMidStormChangesNoAlert() async throws {
        let run = try await IncidentRun.shared.outcome()
        try checkDaemon(try #require(run.daemons.first { $0.stop == .sigterm }), run)
    }

    @Test("kill -9 in the middle of the storm, restart: the same alerts as analyze", .timeLimit(.minutes(4)))
    func killMidStormChangesNoAlert() async throws {
        let run = try await IncidentRun.shared.outcome()
        try checkDaemon(try #require(run.daemons.first { $0.stop == .sigkill }), run)
    }

    func checkDaemon(_ daemon: IncidentRun.DaemonOutcome, _ run: IncidentRun.Outcome) throws {
        let plan = run.plan, grid = BucketGrid(plan)
        let name = daemon.stop.rawValue
        for problem in daemon.problems { Issue.record("\(name): \(problem)") }
        let storedRequests = daemon.storedRequests, logged = run.log.count
        #expect(storedRequests == logged, "\(name): the store counted \(storedRequests) requests, nginx logged \(logged) (a line lost or read twice)")
        let finalExit = daemon.finalExit
        #expect(finalExit.succeeded, "\(name): final SIGTERM: \(finalExit.summary)")
        let stored = daemon.alerts
        let analyzed = run.report.alerts

        print("NginxAlertQualityTests [\(name)]: \(stored.count) stored alerts, analyze \(analyzed.count)")
        if let stop = daemon.stoppedAt {
            print("  stopped at \(grid.describe(stop)) (storm alert seen open at \(daemon.stormAlertSeenAt.map(grid.describe) ?? "never")), "
                + "restarted after \(String(format: "%.2f", daemon.downSeconds ?? -1)) s; \(daemon.openBeforeStop.count) alerts open before the stop")
        }
        for alert in stored { print("  " + alert.line(grid)) }

        if daemon.stop == .sigterm {
            let exit = daemon.stopExit, took = daemon.stopSeconds ?? 99
            #expect(exit?.succeeded == true && took < 5,
                    "SIGTERM: \(exit?.summary ?? "not sent"), exited after \(String(format: "%.2f", took)) s (SPEC §8: exit 0 within 5 s)")
        }
        if daemon.stop != .control {
            let seen = daemon.stormAlertSeenAt != nil, warm = daemon.restartedWarm
            #expect(seen, "\(name): the daemon had no open storm alert before it was stopped mid-storm")
            #expect(warm, "\(name): the restarted daemon did not say it restored the model state")
        }

        // Same alerts, one by one: ids are stable (SPEC §6), so the id is the key.
        let diff = AlertListDiff(expected: analyzed, actual: stored)
        if !diff.isEmpty { print("  differences from analyze:\n" + diff.lines.map { "    " + $0 }.joined(separator: "\n")) }
        let missing = diff.missing.count, unexpected = diff.unexpected.count, changed = diff.changed.count
        #expect(missing == 0, "\(name): \(missing) of analyze's alerts are not in the store: \(diff.missing.prefix(4).map(\.brief))")
        #expect(unexpected == 0, "\(name): \(unexpected) stored alerts analyze does not report: \(diff.unexpected.prefix(4).map(\.brief))")
        #expect(changed == 0, "\(name): \(changed) alerts differ: \(diff.changed.prefix(4))")

        // The incident the restart cut through keeps its alert(s) and their ids.
        let stormStored = IncidentVerdict(stored, plan: plan).bursts(of: .storm).map(\.id).sorted()
        let stormAnalyzed = IncidentVerdict(analyzed, plan: plan).bursts(of: .storm).map(\.id).sorted()
        #expect(stormStored == stormAnalyzed, "\(name): storm bursts in the store \(stormStored), analyze \(stormAnalyzed)")

        guard let stop = daemon.stoppedAt else { return }
        let restartBucket = grid.bucket(stop)
        func startBucket(_ a: AnalyzeReport.Alert) -> Int? { AnalyzeReport.date(a.start).map { grid.bucket($0.timeIntervalSince1970) } }
        func endBucket(_ a: AnalyzeReport.Alert) -> Int? { a.end.flatMap(AnalyzeReport.date).map { grid.bucket($0.timeIntervalSince1970) } }
        let storedByID = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let analyzedByID = Dictionary(analyzed.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // An alert open at the stop is adopted again, not opened anew under another id ...
        let reopened = daemon.openBeforeStop.filter { open in
            stored.contains { $0.id != open.id && $0.key == open.key && (startBucket($0) ?? .min) >= restartBucket - 1 }
        }
        #expect(reopened.count == 0, "\(name): \(reopened.count) alerts open at the stop were opened again under a new id after the restart: \(reopened.prefix(4).map(\.brief))")
        // ... nor closed by the restart when the uninterrupted run keeps it going.
        let closedAtRestart = daemon.openBeforeStop.filter { open in
            guard let end = storedByID[open.id].flatMap(endBucket), abs(end - restartBucket) <= 1 else { return false }
            return analyzedByID[open.id].flatMap(endBucket) != end
        }
        #expect(closedAtRestart.count == 0, "\(name): \(closedAtRestart.count) alerts open at the stop were closed by the restart: \(closedAtRestart.prefix(4).map(\.brief))")
        // No wave of alerts starting at the restart that the uninterrupted run does not have.
        let wave = diff.unexpected.filter { startBucket($0).map { abs($0 - restartBucket) <= 2 } ?? false }
        #expect(wave.count == 0, "\(name): \(wave.count) alerts start at the restart (\(grid.describe(stop))) that analyze does not have: \(wave.prefix(4).map(\.brief))")
    }
}

// MARK: - What the traffic left behind

/// Runs the traffic once for the whole suite and keeps what the tests need in memory (the
/// temporary directory is gone when the tests look).
actor IncidentRun {
    static let shared = IncidentRun()
    static let bucketSeconds = 2.0
    static let warmupBuckets = 5
    /// The restarts are pinned to the grid like the incidents: this many whole buckets and
    /// `stopPhase` seconds after the storm's first bucket began (the storm lasts 6 buckets).
    static let sigtermAfterBuckets = 2
    static let sigkillAfterBuckets = 3
    static let stopPhase = 1.0

    enum Stop: String, Sendable { case control, sigterm = "SIGTERM", sigkill = "kill -9" }

    struct BackendCounters: Decodable, Sendable {
        var requests: Int
        var writes: Int
        var statuses: [String: Int]
    }

    struct DaemonOutcome: Sendable {
        var stop: Stop
        var stormAlertSeenAt: Double?
        var stoppedAt: Double?
        var stopSeconds: Double?
        var downSeconds: Double?
        var stopExit: ProcessResult?
        var openBeforeStop: [AnalyzeReport.Alert] = []
        var restartedWarm = false
        var storedRequests = -1
        var finalExit: ProcessResult
        var alerts: [AnalyzeReport.Alert]
        var problems: [String]
    }

    struct Outcome: Sendable {
        var plan: TrafficPlan
        var log: [CombinedLogLine]
        var backendCounters: [String: BackendCounters]
        var report: AnalyzeReport
        var analyzeSeconds: Double
        var daemons: [DaemonOutcome]
        var problems: [String]
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    private var task: Task<Outcome, any Error>?

    func outcome() async throws -> Outcome {
        if let task { return try await task.value }
        // Detached: the run belongs to the suite, not to whichever test asked first.
        let started = Task.detached { try await Self.perform() }
        task = started
        return try await started.value
    }

    static var scriptDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts")
    }

    static let logFormat = #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time"#

    /// The default model at five times the speed (see the suite's comment): the defaults'
    /// 60 s rate, 600 s level, 300 s trend and writer, 3600 s baseline and calibration half-lives
    /// and the 600 s reopen window, each divided by 10 s / `bucketSeconds`.
    static var modelFile: String {
        let f = 10 / bucketSeconds
        return """
            {"bucket_seconds": \(bucketSeconds), "warmup_buckets": \(warmupBuckets),
             "rate_half_life_seconds": \(60 / f), "hotspot_level_half_life_seconds": \(600 / f),
             "trend_half_life_seconds": \(300 / f), "writer_window_seconds": \(300 / f),
             "baseline_half_life_seconds": \(3600 / f), "calibration_half_life_seconds": \(3600 / f),
             "reopen_window_seconds": \(600 / f)}
            """
    }

    static func configuration(prefix: TemporaryDirectory, port: UInt16, ledgerPort: Int, documentsPort: Int) -> String {
        let base = NginxServer.baseDirectives(prefix: prefix)
        func upstream(_ name: String, _ port: Int) -> String {
            "    upstream \(name) {\n        server 127.0.0.1:\(port);\n        keepalive 16;\n    }\n"
        }
        func location(_ path: String, _ upstream: String) -> String {
            // One attempt per request, so nginx's log and the backends' counters agree.
            """
                    location \(path) {
                        proxy_pass http://\(upstream);
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_next_upstream off;
                        proxy_read_timeout 10s;
                    }

            """
        }
        return """
            \(base.main)
            http {
            \(base.http)
                log_format timed '\(logFormat)';
                keepalive_requests 100000;
                keepalive_timeout 120s;
            \(upstream("ledger", ledgerPort))\(upstream("documents", documentsPort))
                server {
                    listen 127.0.0.1:\(port);
                    server_name localhost;
                    access_log \(prefix.file("access.log")) timed;
            \(location("/v2/", "ledger"))\(location("/api/", "documents"))    }
            }

            """
    }

    static func readJSON<T: Decodable>(_ type: T.Type, _ path: String) -> T? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(T.self, from: $0) }
    }

    static func startBackend(_ api: String, python: String, dir: TemporaryDirectory) async throws -> (BackgroundProcess, Int) {
        let portFile = dir.file("\(api)-port.json")
        let backend = try BackgroundProcess(
            name: api, executable: python,
            arguments: [scriptDirectory.appendingPathComponent("VersionedBackend.py").path, "--api", api,
                        "--port-file", portFile, "--counters", dir.file("\(api)-counters.json"), "--max-seconds", "300"],
            directory: dir)
        struct Port: Decodable { var port: Int }
        let deadline = Date().addingTimeInterval(15)
        while backend.isRunning, Date() < deadline {
            if let port = readJSON(Port.self, portFile) { return (backend, port.port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SetupError(description: "the \(api) backend did not start: \(backend.stderrTail)")
    }

    static func perform() async throws -> Outcome {
        guard let nginx = ExecutableLocator.find("nginx") else {
            throw SetupError(description: "nginx is not installed: run `make test` (it installs nginx and curl), or set CONFLICTWATCH_SKIP_NGINX=1 to skip these tests")
        }
        guard let python = ExecutableLocator.find("python3") else {
            throw SetupError(description: "python3 is not installed: the backends and clients are Python 3 scripts (standard library only)")
        }
        let binary = TestEnvironment.conflictwatchBinary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw SetupError(description: "conflictwatch binary not found at \(binary): run `swift build`, or point CONFLICTWATCH_BIN at it")
        }
        let started = Date()
        let dir = try TemporaryDirectory(prefix: "cw-nginx-quality")
        defer { dir.remove() }
        var problems: [String] = []

        let (ledger, ledgerPort) = try await startBackend("ledger", python: python, dir: dir)
        let (documents, documentsPort) = try await startBackend("documents", python: python, dir: dir)
        let server = try NginxServer.start(binary: nginx, prefix: dir, ipv6: false) { port, _ in
            configuration(prefix: dir, port: port, ledgerPort: ledgerPort, documentsPort: documentsPort)
        }
        defer { server.stop() }
        let logPath = dir.file("access.log")
        let modelPath = dir.file("model.json")
        try Self.modelFile.write(toFile: modelPath, atomically: true, encoding: .utf8)

        // The daemons follow the log from its first line, as it is written.
        var daemons: [DaemonRun] = []
        for stop in [Stop.control, .sigterm, .sigkill] {
            daemons.append(try await DaemonRun(stop: stop, binary: binary, log: logPath, model: modelPath, dir: dir))
        }

        let planPath = dir.file("plan.json"), timelinePath = dir.file("timeline.json")
        let traffic = try BackgroundProcess(
            name: "traffic", executable: python,
            arguments: [scriptDirectory.appendingPathComponent("IncidentTraffic.py").path,
                        "--port", String(server.port), "--admin-port", String(documentsPort),
                        "--plan", planPath, "--timeline", timelinePath, "--bucket", String(bucketSeconds)],
            directory: dir)
        var plan: TrafficPlan?
        while plan == nil, traffic.isRunning {
            plan = readJSON(TrafficPlan.self, planPath)
            if plan == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let plan = plan ?? readJSON(TrafficPlan.self, planPath) else {
            throw SetupError(description: "the traffic wrote no plan: \(traffic.stderrTail)")
        }

        // Stop and restart the two daemons mid-storm, in the order of their stop times.
        let grid = BucketGrid(plan)
        let stormBucket = grid.bucket(plan.storm.start)
        for daemon in daemons where daemon.stop != .control {
            let after = daemon.stop == .sigterm ? sigtermAfterBuckets : sigkillAfterBuckets
            let stopAt = grid.start(stormBucket + after) + stopPhase
            await daemon.stopAndRestart(at: stopAt, giveUpAt: plan.storm.end - plan.bucket, plan: plan)
        }

        let load = await traffic.waitForExit(timeout: plan.end - Date().timeIntervalSince1970 + 60)
        print("NginxAlertQualityTests: \(load.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))")
        if !load.succeeded { problems.append("traffic: \(load.summary)") }
        struct Timeline: Decodable { var errors: [String] }
        if let errors = readJSON(Timeline.self, timelinePath)?.errors, !errors.isEmpty {
            problems.append("transport errors: \(errors.prefix(5))")
        }
        if !server.stop() { problems.append("nginx did not stop gracefully: \(server.errorLogTail)") }
        var counters: [String: BackendCounters] = [:]
        for (api, backend) in [("ledger", ledger), ("documents", documents)] {
            let end = await backend.terminate()
            if !end.succeeded { problems.append("\(api) backend: \(end.summary)") }
            counters.merge(readJSON([String: BackendCounters].self, dir.file("\(api)-counters.json")) ?? [:]) { a, _ in a }
        }

        let log = CombinedLogLine.read(logPath)
        if log.unparsed > 0 { problems.append("\(log.unparsed) lines of nginx's log did not parse") }

        let analyzeStarted = Date()
        let result = try ProcessRunner.run(
            binary, ["analyze", "--format", "json", "--log-format", "combined", "--model", modelPath, logPath], timeout: 60)
        let analyzeSeconds = Date().timeIntervalSince(analyzeStarted)
        guard result.succeeded else { throw SetupError(description: "analyze: \(result.summary)") }
        let report = try AnalyzeReport.decode(result.stdout)

        var outcomes: [DaemonOutcome] = []
        for daemon in daemons {
            outcomes.append(await daemon.finish(expectedRequests: log.lines.count))
        }
        print("NginxAlertQualityTests: the run took \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        return Outcome(plan: plan, log: log.lines, backendCounters: counters, report: report,
                       analyzeSeconds: analyzeSeconds, daemons: outcomes, problems: problems)
    }
}

/// One `conflictwatch tail` daemon on the test's log with its own state dir, stopped and
/// restarted (or not) as its `stop` says.
final class DaemonRun {
    let stop: IncidentRun.Stop
    let binary: String
    let arguments: [String]
    let stateDir: String
    let dir: TemporaryDirectory
    private var process: BackgroundProcess
    private var generation = 1
    private var outcome: IncidentRun.DaemonOutcome

    init(stop: IncidentRun.Stop, binary: String, log: String, model: String, dir: TemporaryDirectory) async throws {
        self.stop = stop
        self.binary = binary
        self.dir = dir
        stateDir = dir.file("state-\(stop == .control ? "control" : stop == .sigterm ? "term" : "kill")")
        arguments = ["tail", log, "--from-start", "--state-dir", stateDir, "--model", model, "--log-format", "combined"]
        outcome = .init(stop: stop, finalExit: ProcessResult(status: -1, terminatedBySignal: false, timedOut: false, stdout: Data(), stderr: Data()),
                        alerts: [], problems: [])
        process = try await Self.launch(binary, arguments, name: "\(stateDir.split(separator: "/").last!)-1", dir: dir)
    }

    /// Starts the daemon and waits (bounded) until it follows the file.
    static func launch(_ binary: String, _ arguments: [String], name: String, dir: TemporaryDirectory) async throws -> BackgroundProcess {
        let p = try BackgroundProcess(name: name, executable: binary, arguments: arguments, directory: dir)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, p.isRunning {
            let err = (try? String(contentsOfFile: p.stderrPath, encoding: .utf8)) ?? ""
            if err.contains("following file") || err.contains("resuming file") { return p }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw IncidentRun.SetupError(description: "daemon \(name) did not start: \(p.stderrTail)")
    }

    func storedAlerts(_ extra: [String] = []) -> [AnalyzeReport.Alert]? {
        guard let r = try? ProcessRunner.run(binary, ["alerts", "--state-dir", stateDir, "--format", "json"] + extra, timeout: 20),
              r.succeeded else { return nil }
        return try? JSONDecoder().decode([AnalyzeReport.Alert].self, from: r.stdout)
    }

    /// Waits until the storm's alert is open in the store (not past `giveUpAt`), then until
    /// `stopAt`, stops the daemon by its signal, and starts it again on the same state dir.
    func stopAndRestart(at stopAt: Double, giveUpAt: Double, plan: TrafficPlan) async {
        let stormStart = BucketGrid(plan).start(BucketGrid(plan).bucket(plan.storm.start))
        while Date().timeIntervalSince1970 < max(stopAt, giveUpAt) {
            let now = Date().timeIntervalSince1970
            if outcome.stormAlertSeenAt == nil,
               let open = storedAlerts(["--open", "--kind", "burst"]),
               open.contains(where: { $0.route == plan.storm.route && (AnalyzeReport.date($0.start)?.timeIntervalSince1970 ?? 0) >= stormStart }) {
                outcome.stormAlertSeenAt = now
            }
            if outcome.stormAlertSeenAt != nil && now >= stopAt { break }
            try? await Task.sleep(for: .milliseconds(now < stopAt - 1 ? 500 : 100))
        }
        if outcome.stormAlertSeenAt == nil {
            outcome.problems.append("no open burst on \(plan.storm.route) in the store by \(BucketGrid(plan).describe(giveUpAt)); stopped anyway")
        }
        outcome.openBeforeStop = storedAlerts(["--open"]) ?? []
        let stopped = Date()
        outcome.stoppedAt = stopped.timeIntervalSince1970
        let exit: ProcessResult
        if stop == .sigterm {
            exit = await process.terminate(timeout: 10)
        } else {
            kill(process.processIdentifier, SIGKILL)
            exit = await process.waitForExit(timeout: 10)
        }
        outcome.stopSeconds = Date().timeIntervalSince(stopped)
        outcome.stopExit = exit
        generation += 1
        do {
            process = try await Self.launch(binary, arguments, name: "\(stateDir.split(separator: "/").last!)-\(generation)", dir: dir)
        } catch {
            outcome.problems.append("restart: \(error)")
        }
        outcome.downSeconds = Date().timeIntervalSince(stopped)
    }

    /// Waits until the daemon has stored every line of the finished log, stops it, and reads
    /// its alerts.
    func finish(expectedRequests: Int) async -> IncidentRun.DaemonOutcome {
        let deadline = Date().addingTimeInterval(30)
        repeat {
            outcome.storedRequests = storedRequests()
            if outcome.storedRequests >= expectedRequests { break }
            try? await Task.sleep(for: .milliseconds(250))
        } while Date() < deadline && process.isRunning
        // A count that overshoots must be seen too.
        try? await Task.sleep(for: .milliseconds(500))
        outcome.storedRequests = storedRequests()
        outcome.finalExit = await process.terminate(timeout: 10)
        outcome.restartedWarm = outcome.finalExit.stderrText.contains("model state restored")
        if let alerts = storedAlerts() {
            outcome.alerts = alerts
        } else {
            outcome.problems.append("`alerts --format json` failed on \(stateDir)")
        }
        return outcome
    }

    func storedRequests() -> Int {
        guard let r = try? ProcessRunner.run(binary, ["routes", "--state-dir", stateDir, "--format", "json"], timeout: 20), r.succeeded,
              let rows = try? JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] else { return -1 }
        return rows.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }
    }
}

/// The schedule `IncidentTraffic.py` announces before its first request (epoch seconds).
struct TrafficPlan: Decodable, Sendable {
    struct Window: Decodable, Sendable {
        var start: Double
        var end: Double
        var route: String
        var client: String?
        var clients: [String]?
        var resource: String?
    }

    var start: Double
    var end: Double
    var bucket: Double
    var storm: Window
    var regression: Window
    var stampede: Window
    var quietRoute: String

    enum CodingKeys: String, CodingKey {
        case start, end, bucket, storm, regression, stampede
        case quietRoute = "quiet_route"
    }

    func window(_ incident: Incident) -> Window {
        switch incident {
        case .storm: storm
        case .regression: regression
        case .stampede: stampede
        }
    }
}

enum Incident: String, CaseIterable, Sendable {
    case storm, regression, stampede
}

/// The model's epoch-aligned buckets, numbered for people from the traffic's first one.
struct BucketGrid: Sendable {
    var seconds: Double
    var origin: Int

    init(_ plan: TrafficPlan) {
        seconds = plan.bucket
        origin = Int((plan.start / plan.bucket).rounded(.down))
    }

    func bucket(_ t: Double) -> Int { Int((t / seconds).rounded(.down)) }
    func start(_ bucket: Int) -> Double { Double(bucket) * seconds }
    /// `b12+1.0s 07:19:03`: bucket 12 of the run, 1.0 s into it, UTC time of day.
    func describe(_ t: Double) -> String {
        let b = bucket(t)
        let day = Int(t.rounded(.down)) % 86_400
        return "b\(b - origin)+\(String(format: "%.1f", t - start(b)))s "
            + String(format: "%02d:%02d:%02d", day / 3600, day / 60 % 60, day % 60)
    }
}

/// Which alerts belong to which incident: the bursts on its route that start from its first
/// bucket to one bucket after its last (an alert can open on the bucket the incident ends in),
/// and the hot spots in that time that name its resource. Every other alert is extra, and so is
/// any incident alert beyond one per kind.
struct IncidentVerdict {
    var byIncident: [Incident: [AnalyzeReport.Alert]] = [:]
    var extra: [AnalyzeReport.Alert] = []
    /// The extra alerts that belong to no incident at all (the rest are duplicates).
    var unattributed: [AnalyzeReport.Alert] = []
    let plan: TrafficPlan

    init(_ alerts: [AnalyzeReport.Alert], plan: TrafficPlan) {
        self.plan = plan
        let grid = BucketGrid(plan)
        for alert in alerts {
            let bucket = AnalyzeReport.date(alert.start).map { grid.bucket($0.timeIntervalSince1970) }
            let owner = Incident.allCases.first { incident in
                let w = plan.window(incident)
                guard let bucket, alert.route == w.route,
                      bucket >= grid.bucket(w.start), bucket <= grid.bucket(w.end) + 1 else { return false }
                return alert.kind == "burst" || Self.names(alert, w.resource)
            }
            guard let owner else {
                extra.append(alert)
                unattributed.append(alert)
                continue
            }
            if byIncident[owner, default: []].contains(where: { $0.kind == alert.kind }) {
                extra.append(alert)
            }
            byIncident[owner, default: []].append(alert)
        }
    }

    /// The alert is about `resource`: its own, or (a hot-spot alert grouped per route) listed
    /// among its top resources.
    static func names(_ alert: AnalyzeReport.Alert, _ resource: String?) -> Bool {
        guard let resource else { return false }
        return alert.resource == resource || alert.topResources.contains { $0.resource == resource }
    }

    func alerts(of incident: Incident) -> [AnalyzeReport.Alert] { byIncident[incident] ?? [] }
    func bursts(of incident: Incident) -> [AnalyzeReport.Alert] { alerts(of: incident).filter { $0.kind == "burst" } }

    /// The incident's alerts that name its resource.
    func naming(_ incident: Incident) -> [AnalyzeReport.Alert] {
        alerts(of: incident).filter { Self.names($0, plan.window(incident).resource) }
    }

    /// Buckets from the incident's first bucket to the start of the first alert that finds it:
    /// for the stampede any alert naming its account (a hot spot is a fair warning of one),
    /// for the others a burst.
    func delayBuckets(_ incident: Incident, _ grid: BucketGrid) -> Int? {
        let found = incident == .stampede ? naming(incident) : bursts(of: incident)
        let starts = found.compactMap { AnalyzeReport.date($0.start).map { grid.bucket($0.timeIntervalSince1970) } }
        return starts.min().map { $0 - grid.bucket(plan.window(incident).start) }
    }

    func summary(_ grid: BucketGrid) -> String {
        var out = "NginxAlertQualityTests: incidents:"
        for incident in Incident.allCases {
            let mine = alerts(of: incident)
            out += "\n  \(incident) (from \(grid.describe(plan.window(incident).start)) to \(grid.describe(plan.window(incident).end))): \(mine.count) alerts, found after \(delayBuckets(incident, grid).map { "\($0) buckets" } ?? "never"); "
                + mine.map { "\($0.kind) \($0.class) client \($0.client ?? "null")" }.joined(separator: "; ")
        }
        let kinds = Dictionary(grouping: extra, by: \.kind).mapValues(\.count)
        out += "\n  extra alerts: \(extra.count) \(kinds.sorted { $0.key < $1.key })"
        return out
    }
}

/// Two alert lists compared by id, field by field on what must not change across runs.
struct AlertListDiff {
    var missing: [AnalyzeReport.Alert] = []
    var unexpected: [AnalyzeReport.Alert] = []
    var changed: [String] = []

    init(expected: [AnalyzeReport.Alert], actual: [AnalyzeReport.Alert]) {
        let byID = Dictionary(actual.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let expectedIDs = Set(expected.map(\.id))
        for e in expected {
            guard let a = byID[e.id] else {
                missing.append(e)
                continue
            }
            var fields: [String] = []
            if a.kind != e.kind { fields.append("kind \(a.kind) ≠ \(e.kind)") }
            if Set(a.class) != Set(e.class) { fields.append("class \(a.class) ≠ \(e.class)") }
            if a.route != e.route { fields.append("route \(a.route) ≠ \(e.route)") }
            if a.client != e.client { fields.append("client \(a.client ?? "null") ≠ \(e.client ?? "null")") }
            if a.resource != e.resource { fields.append("resource \(a.resource ?? "null") ≠ \(e.resource ?? "null")") }
            if AnalyzeReport.date(a.start) != AnalyzeReport.date(e.start) { fields.append("start \(a.start) ≠ \(e.start)") }
            if !fields.isEmpty { changed.append("\(e.id): " + fields.joined(separator: ", ")) }
        }
        unexpected = actual.filter { !expectedIDs.contains($0.id) }
        // The same id twice in the store is a duplicate too.
        let counts = Dictionary(actual.map { ($0.id, 1) }, uniquingKeysWith: +)
        for (id, n) in counts where n > 1 { changed.append("\(id) stored \(n) times") }
    }

    var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && changed.isEmpty }

    var lines: [String] {
        missing.map { "missing:    \($0.brief)" } + unexpected.map { "unexpected: \($0.brief)" } + changed.map { "changed:    \($0)" }
    }
}

/// Per-bucket counts from nginx's log, read independently of conflictwatch: proof that the
/// traffic has the shape the assertions assume.
struct TrafficShape {
    var warmBuckets = 0
    var ledgerNormalMean = 0.0
    var stormPerFullBucket: [Int] = []
    var stormShareOfLedger = 0.0
    var contractRefusedShare = 0.0
    var contractsWithSeveralWriters: [String] = []
    var documentsRatioBefore = 0.0
    var documentsRatioDuringRegression = 0.0
    /// Writes per bucket on documents in the regression over those before it.
    var documentsWriteGrowth = 0.0
    var stampedeWritesBefore = 0
    var bucketsBeforeStampede = 0
    var stampedePerFullBucket: [Int] = []
    /// Writes by the stampede's clients anywhere else (there should be none).
    var strayStampedeWrites = 0
    var table = ""

    init(_ log: [CombinedLogLine], plan: TrafficPlan) {
        let grid = BucketGrid(plan)
        let writeMethods: Set<String> = ["PUT", "PATCH", "POST", "DELETE"]
        let conflictStatuses: Set<Int> = [409, 412, 423]
        struct Cell { var writes = 0, conflicts = 0 }
        var cells: [String: [Int: Cell]] = [:]
        var storm: [Int: Int] = [:], stampede: [Int: Int] = [:]
        let stampedeClients = Set(plan.stampede.clients ?? [])
        var contractWriters: [String: Set<String>] = [:]
        func family(_ path: String) -> String {
            path.hasPrefix("/v2/") ? "ledger" : path.hasPrefix("/api/documents/") ? "documents" : path.hasPrefix("/api/contracts/") ? "contracts" : "other"
        }
        for line in log where writeMethods.contains(line.method) {
            let b = grid.bucket(line.date.timeIntervalSince1970), f = family(line.path)
            let conflict = conflictStatuses.contains(line.status)
            cells[f, default: [:]][b, default: Cell()].writes += 1
            if conflict { cells[f, default: [:]][b, default: Cell()].conflicts += 1 }
            if f == "contracts" { contractWriters[line.path, default: []].insert(line.client) }
            if conflict && line.client == plan.storm.client { storm[b, default: 0] += 1 }
            if stampedeClients.contains(line.client) && line.path != plan.stampede.resource { strayStampedeWrites += 1 }
            if line.path == plan.stampede.resource {
                if line.date.timeIntervalSince1970 < grid.start(grid.bucket(plan.stampede.start)) { stampedeWritesBefore += 1 }
                if conflict { stampede[b, default: 0] += 1 }
            }
        }
        guard let first = log.first.map({ grid.bucket($0.date.timeIntervalSince1970) }),
              let last = log.last.map({ grid.bucket($0.date.timeIntervalSince1970) }) else { return }
        let stormBucket = grid.bucket(plan.storm.start), regressionBucket = grid.bucket(plan.regression.start)
        let stampedeBucket = grid.bucket(plan.stampede.start)
        let warm = (first + 1)..<stormBucket
        warmBuckets = warm.count
        func sum(_ family: String, _ range: Range<Int>, _ key: KeyPath<Cell, Int>) -> Int {
            range.reduce(0) { $0 + (cells[family]?[$1]?[keyPath: key] ?? 0) }
        }
        func ratio(_ family: String, _ range: Range<Int>) -> Double {
            Double(sum(family, range, \.conflicts)) / Double(max(1, sum(family, range, \.writes)))
        }
        ledgerNormalMean = Double(sum("ledger", warm, \.conflicts)) / Double(max(1, warm.count))
        let fullStorm = (stormBucket + 1)..<grid.bucket(plan.storm.end)
        stormPerFullBucket = fullStorm.map { storm[$0] ?? 0 }
        stormShareOfLedger = Double(stormPerFullBucket.reduce(0, +)) / Double(max(1, sum("ledger", fullStorm, \.conflicts)))
        contractRefusedShare = ratio("contracts", first..<(last + 1))
        contractsWithSeveralWriters = contractWriters.filter { $0.value.count > 1 }.map(\.key).sorted()
        documentsRatioBefore = ratio("documents", warm)
        let fullRegression = (regressionBucket + 1)..<grid.bucket(plan.regression.end)
        documentsRatioDuringRegression = ratio("documents", fullRegression)
        documentsWriteGrowth = (Double(sum("documents", fullRegression, \.writes)) / Double(max(1, fullRegression.count)))
            / (Double(sum("documents", warm, \.writes)) / Double(max(1, warm.count)))
        bucketsBeforeStampede = stampedeBucket - first
        stampedePerFullBucket = ((stampedeBucket + 1)..<grid.bucket(plan.stampede.end)).map { stampede[$0] ?? 0 }

        var text = "NginxAlertQualityTests: writes/conflicts per \(plan.bucket) s bucket (storm = 127.0.0.66's, stampede = on its account):\n"
        text += "  bucket  ledger   documents  contracts  storm  stampede\n"
        var marks: [Int: String] = [:]
        for incident in Incident.allCases {
            marks[grid.bucket(plan.window(incident).start), default: ""] += " \(incident) starts"
            marks[grid.bucket(plan.window(incident).end), default: ""] += " \(incident) ends"
        }
        for b in first...last {
            func cell(_ f: String) -> String {
                let c = cells[f]?[b] ?? Cell()
                return "\(c.writes)/\(c.conflicts)".padding(toLength: 10, withPad: " ", startingAt: 0)
            }
            text += "  \(String(b % 1000).padding(toLength: 6, withPad: " ", startingAt: 0))  \(cell("ledger"))\(cell("documents"))\(cell("contracts"))"
                + "\(String(storm[b] ?? 0).padding(toLength: 7, withPad: " ", startingAt: 0))\(String(stampede[b] ?? 0).padding(toLength: 6, withPad: " ", startingAt: 0))"
                + (marks[b] ?? "") + "\n"
        }
        text += "  ledger normal conflicts/bucket \(String(format: "%.1f", ledgerNormalMean)); storm share of the ledger's conflicts \(String(format: "%.2f", stormShareOfLedger)); "
            + "contracts refused \(String(format: "%.3f", contractRefusedShare)); documents ratio \(String(format: "%.2f", documentsRatioBefore)) → \(String(format: "%.2f", documentsRatioDuringRegression)) in the regression, writes ×\(String(format: "%.2f", documentsWriteGrowth)); "
            + "the stampede's account: \(stampedeWritesBefore) writes in the \(bucketsBeforeStampede) buckets before it"
        table = text
    }
}

extension AnalyzeReport.Alert {
    /// What one incident's alert is about: a second alert with the same key open at once is a
    /// duplicate.
    var key: String { "\(kind) \(route) \(resource ?? "-") \(client ?? "-")" }

    /// `brief` with the start and end placed on the bucket grid, for the printed figures.
    func line(_ grid: BucketGrid) -> String {
        let start = AnalyzeReport.date(self.start).map { grid.describe($0.timeIntervalSince1970) } ?? self.start
        let end = self.end.flatMap(AnalyzeReport.date).map { grid.describe($0.timeIntervalSince1970) } ?? "open"
        return "\(id) \(kind) \(self.class) \(severity) \(route) resource \(resource ?? "null") client \(client ?? "null") "
            + "[\(start) … \(end)] peak \(peakCount) expected \(String(format: "%.1f", expected)) — \(reason)"
    }
}
