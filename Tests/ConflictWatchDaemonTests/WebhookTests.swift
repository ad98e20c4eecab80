import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import ConflictWatchTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing
@testable import ConflictWatchDaemon

/// The durable webhook outbox (SPEC §8): the pipeline commits outbox rows with the alert
/// change, the sender delivers them from the store to real HTTP receivers.
@Suite final class WebhookTests: Sendable {
    static func alert(_ id: String, severity: Alert.Severity = .high, end: String? = nil, peak: Int = 3) throws -> Alert {
        let json = """
            {"id":"\(id)","kind":"burst","class":["single_client"],"severity":"\(severity.rawValue)",
             "route":"/api/orders/{id}","resource":"/api/orders/13","client":"127.0.0.66","statuses":{"409":\(peak)},
             "start":"2026-11-24T10:00:00Z","end":\(end.map { "\"\($0)\"" } ?? "null"),"peak_count":\(peak),"expected":0.5,
             "score":9.1,"probability":null,"top_clients":[],"top_resources":[],"samples":[],"reason":"test"}
            """
        return try JSONDecoder().decode(Alert.self, from: Data(json.utf8))
    }

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-webhooks-\(UUID().uuidString.prefix(8))").path

    // A suite instance per test: its directory goes with it.
    deinit { try? FileManager.default.removeItem(atPath: dir) }

    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    // MARK: body and policy

    @Test func bodyIsTheAlertJSONWithTheEvent() throws {
        let a = try Self.alert("c", end: "2026-11-24T10:01:00Z")
        let body = try AlertEvent(kind: .closed, alert: a, eventID: "c/1-closed").jsonBody()
        var fields = try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(fields.removeValue(forKey: "event") as? String == "closed")
        #expect(fields.removeValue(forKey: "event_id") as? String == "c/1-closed")
        let plain = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any])
        // Compared as canonical JSON: Foundation on Linux does not find a parsed `false` equal
        // to itself across NSDictionary bridging (the alert's `silenced`).
        func canonical(_ d: [String: Any]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: d, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try canonical(fields) == canonical(plain), "\(fields)")
        #expect(fields["resource"] as? String == "/api/orders/13", "slashes are not escaped for humans reading the hook")
        #expect(String(decoding: body, as: UTF8.self).contains("\"/api/orders/13\""))
    }

    @Test func backoffDoublesToTheCap() {
        var p = RetryPolicy()
        #expect((1...11).map { p.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
        #expect(p.delay(afterAttempt: 1, retryAfter: 30) == 30)
        #expect(p.delay(afterAttempt: 3, retryAfter: 1) == 4, "Retry-After never shortens the back-off")
        #expect(p.delay(afterAttempt: 1, retryAfter: 3600) == 300)
        p.maximumAttempts = 3
        #expect((1...3).map { p.delay(afterAttempt: $0) } == [1, 2, nil])
        #expect(RetryPolicy.retryAfterSeconds(" 12 ") == 12)
        #expect(RetryPolicy.retryAfterSeconds("Wed, 21 Oct 2026 07:28:00 GMT") == nil)
        #expect([200, 204, 408, 429, 500, 503, 400, 401, 404, 410].map(RetryPolicy.verdict) ==
                [.delivered, .delivered, .retry, .retry, .retry, .retry, .permanentFailure, .permanentFailure, .permanentFailure, .permanentFailure])
    }

    /// A receiver down for an hour (or a night) is retried; a day-old event is given up, and so is
    /// one the receiver refuses with a 4xx.
    @Test func giveUpRule() {
        let p = RetryPolicy()
        #expect(p.decide(.delivered, attempt: 1, age: 0) == .delete)
        #expect(p.decide(.permanentFailure, attempt: 1, age: 0) == .giveUp)
        #expect(p.decide(.retry, attempt: 30, age: 3600) == .retry(afterSeconds: 300))
        #expect(p.decide(.retry, attempt: 30, age: 12 * 3600) == .retry(afterSeconds: 300))
        #expect(p.decide(.retry, attempt: 300, age: 86_400 - 100) == .giveUp)
    }

    @Test func severityFilter() throws {
        let t = WebhookTarget(url: "http://x", minSeverity: .high)
        #expect(t.wants(AlertEvent(kind: .opened, alert: try Self.alert("d", severity: .critical))))
        #expect(!t.wants(AlertEvent(kind: .opened, alert: try Self.alert("d", severity: .medium))))
    }

    // MARK: delivery to a real HTTP receiver

    /// One POST the receiver saw.
    struct Post: Sendable {
        var path: String
        var alertID: String
        var event: String
        var eventID: String
        var eventIDHeader: String?
        var answered: Int
        var at: ContinuousClock.Instant
    }

    final class Receiver: Sendable {
        let posts = Mutex<[Post]>([])
        /// Answers per path, in order, before the path's normal answer.
        let script: Mutex<[String: [HTTPResponse.Status]]>

        init(script: [String: [HTTPResponse.Status]] = [:]) { self.script = Mutex(script) }

        /// `/gone` answers 404, `/down` 503; elsewhere an alert whose id starts with "stuck" hangs
        /// (3 s, then 503) and the rest are accepted.
        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/{hook}") { request, context -> Response in
                let path = request.uri.path
                let body = try await request.body.collect(upTo: 1 << 20)
                let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] ?? [:]
                let alertID = json["id"] as? String ?? "?"
                var status: HTTPResponse.Status = self.script.withLock { s in
                    guard var queue = s[path], !queue.isEmpty else { return .ok }
                    let next = queue.removeFirst()
                    s[path] = queue
                    return next
                }
                if path == "/gone" { status = .notFound }
                if path == "/down" { status = .serviceUnavailable }
                if alertID.hasPrefix("stuck") {
                    try await Task.sleep(for: .seconds(3))
                    status = .serviceUnavailable
                }
                self.posts.withLock {
                    $0.append(Post(path: path, alertID: alertID, event: json["event"] as? String ?? "?", eventID: json["event_id"] as? String ?? "?",
                                   eventIDHeader: request.headers[.init("X-Conflictwatch-Event-Id")!], answered: Int(status.code), at: .now))
                }
                return Response(status: status)
            }
            return router
        }

        /// Accepted posts to `path`, as "event:alert".
        func accepted(_ path: String) -> [String] {
            posts.withLock { $0.filter { $0.path == path && $0.answered == 200 }.map { "\($0.event):\($0.alertID)" } }
        }

        func acceptedEventIDs() -> Set<String> {
            posts.withLock { Set($0.filter { $0.answered == 200 }.map(\.eventID)) }
        }
    }

    func withReceiver(_ receiver: Receiver, _ body: @Sendable (String) async throws -> Void) async throws {
        let app = Application(router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await body("http://127.0.0.1:\(port)")
        }
    }

    func fastPolicy() -> RetryPolicy {
        var p = RetryPolicy()
        p.initialDelay = 0.05
        p.maximumDelay = 0.2
        p.requestTimeout = 1
        return p
    }

    /// Commits alert events the way the pipeline does: outbox rows in the same batch.
    func commit(_ events: [AlertEvent], store: ConflictStore, outbox: WebhookOutbox) throws {
        var batch = StoreBatch()
        batch.alerts = events.map(\.alert)
        batch.webhookDeliveries = outbox.deliveries(for: events, now: CivilTime.nowMicros())
        outbox.committed(try store.commit(batch), deliveries: batch.webhookDeliveries.count)
    }

    /// Runs `sender` until `done` holds (or `timeout`), then cancels it.
    func run(_ sender: WebhookSender, timeout: Duration = .seconds(10), until done: @Sendable () throws -> Bool) async throws {
        let task = Task { try await sender.run() }
        let deadline = ContinuousClock.now + timeout
        while try !done(), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        _ = await task.result
    }

    @Test func eachAlertsEventsArriveInOrderThroughFailuresWithTheirEventID() async throws {
        let receiver = Receiver(script: ["/flaky": [.serviceUnavailable, .serviceUnavailable]])
        try await withReceiver(receiver) { base in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let status = LiveStatus()
            let outbox = WebhookOutbox(targets: [.init(url: base + "/flaky"), .init(url: base + "/pager", minSeverity: .critical)],
                                       status: status, logger: logger)
            let a = try Self.alert("one"), b = try Self.alert("two", severity: .critical)
            let bClosed = try Self.alert("two", severity: .critical, end: "2026-11-24T10:09:00Z")
            try commit([AlertEvent(kind: .opened, alert: a, eventID: "one/0-opened"), AlertEvent(kind: .opened, alert: b, eventID: "two/0-opened")],
                       store: store, outbox: outbox)
            try commit([AlertEvent(kind: .closed, alert: bClosed, eventID: "two/1-closed")], store: store, outbox: outbox)
            let sender = WebhookSender(outbox: outbox, store: store, policy: fastPolicy(), status: status, logger: logger)
            try await run(sender) { try store.webhookCounts().pending == 0 }

            let flaky = receiver.accepted("/flaky")
            #expect(Set(flaky) == ["opened:one", "opened:two", "closed:two"], "\(flaky)")
            #expect(flaky.firstIndex(of: "opened:two")! < flaky.firstIndex(of: "closed:two")!, "an alert's events in order: \(flaky)")
            #expect(receiver.accepted("/pager") == ["opened:two", "closed:two"], "min_severity: critical")
            #expect(receiver.posts.withLock { $0.allSatisfy { $0.eventIDHeader == $0.eventID } }, "X-Conflictwatch-Event-Id header")
            #expect(receiver.posts.withLock { $0.filter { $0.answered == 503 }.count } == 2)
            let s = status.snapshot
            #expect(s.webhooksSent == 5 && s.webhooksFailed == 0 && s.webhooksPending == 0, "\(s)")
            #expect(try store.webhookCounts() == (pending: 0, givenUp: 0), "delivered rows are deleted")
        }
    }

    /// On a fleet only the agent holding the aggregator role sends (`active`): while it does not,
    /// nothing is posted and the rows stay; once it does, what is owed goes at once.
    @Test func anInactiveSenderSendsNothingUntilItIsActive() async throws {
        let receiver = Receiver()
        try await withReceiver(receiver) { base in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let status = LiveStatus()
            let outbox = WebhookOutbox(targets: [.init(url: base + "/hook")], status: status, logger: logger)
            try commit([AlertEvent(kind: .opened, alert: try Self.alert("led"), eventID: "led/0-opened")], store: store, outbox: outbox)
            let leading = Atomic<Bool>(false)
            let sender = WebhookSender(outbox: outbox, queue: store, policy: fastPolicy(), status: status, logger: logger,
                                       active: { leading.load(ordering: .relaxed) })
            let task = Task { try await sender.run() }
            try await Task.sleep(for: .seconds(1))
            #expect(try receiver.acceptedEventIDs().isEmpty && store.webhookCounts().pending == 1, "not leading: nothing sent")
            leading.store(true, ordering: .relaxed)
            let deadline = ContinuousClock.now + .seconds(10)
            while try store.webhookCounts().pending > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            task.cancel()
            _ = await task.result
            #expect(receiver.acceptedEventIDs() == ["led/0-opened"])
        }
    }

    /// The store behind the outbox, unreadable while `broken` (the fleet's PostgreSQL down).
    final class BreakableQueue: WebhookQueue {
        struct Down: Error {}
        let store: ConflictStore
        let broken = Atomic<Bool>(true)
        init(store: ConflictStore) { self.store = store }
        func check() throws { if broken.load(ordering: .relaxed) { throw Down() } }
        func dueWebhookDeliveries(receiver: String, now: Int64, excluding busy: Set<Int64>, limit: Int) async throws -> [WebhookDelivery] {
            try check()
            return try store.dueWebhookDeliveries(receiver: receiver, now: now, excluding: busy, limit: limit)
        }
        func resetWebhookBackoff(now: Int64) async throws -> Int { try check(); return try store.resetWebhookBackoff(now: now) }
        func webhookDelivered(id: Int64) async throws { try check(); try store.webhookDelivered(id: id) }
        func webhookFailed(id: Int64, attempts: Int, nextAttempt: Int64, error: String) async throws {
            try check()
            try store.webhookFailed(id: id, attempts: attempts, nextAttempt: nextAttempt, error: error)
        }
        func webhookGivenUp(id: Int64, attempts: Int, reason: String) async throws {
            try check()
            try store.webhookGivenUp(id: id, attempts: attempts, reason: reason)
        }
        func giveUpWebhooks(notTo receivers: [String], reason: String) async throws -> Int {
            try check()
            return try store.giveUpWebhooks(notTo: receivers, reason: reason)
        }
        func retryGivenUpWebhooks(eventIDs: [String]?, now: Int64) async throws -> Int {
            try check()
            return try store.retryGivenUpWebhooks(eventIDs: eventIDs, now: now)
        }
        func webhookDeliveries(state: WebhookDelivery.State, limit: Int?) async throws -> [WebhookDelivery] {
            try check()
            return try store.webhookDeliveries(state: state, limit: limit)
        }
        func webhookCounts() async throws -> (pending: Int, givenUp: Int) { try check(); return try store.webhookCounts() }
    }

    /// An outbox the sender cannot read is logged when it starts failing and when it works
    /// again, not at each of the wake-ups in between (four a second).
    @Test func anUnreadableOutboxIsLoggedOnceAndAgainWhenItRecovers() async throws {
        let receiver = Receiver()
        try await withReceiver(receiver) { base in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let status = LiveStatus()
            let outbox = WebhookOutbox(targets: [.init(url: base + "/hook")], status: status, logger: logger)
            try commit([AlertEvent(kind: .opened, alert: try Self.alert("late"), eventID: "late/0-opened")], store: store, outbox: outbox)
            let queue = BreakableQueue(store: store)
            let recorded = LearnedStateTests.Recorded()
            let recording = Logger(label: "test") { _ in LearnedStateTests.RecordingHandler(recorded: recorded) }
            let sender = WebhookSender(outbox: outbox, queue: queue, policy: fastPolicy(), status: status, logger: recording)
            let repair = Task {
                try await Task.sleep(for: .milliseconds(1500))
                queue.broken.store(false, ordering: .relaxed)
            }
            try await run(sender) { try store.webhookCounts().pending == 0 }
            _ = await repair.result
            #expect(receiver.acceptedEventIDs() == ["late/0-opened"], "delivered once the outbox is readable")
            let lines = recorded.lines.withLock { $0 }
            let failures = lines.filter { $0.1.hasPrefix("cannot read the webhook outbox") }
            let recoveries = lines.filter { $0.1 == "webhook outbox readable again" }
            #expect(failures.count == 1, "one error for the outage, not one per wake-up: \(failures.count)")
            #expect(failures.first?.0 == .error && failures.first?.2["failures"] == "1")
            #expect(recoveries.count == 1, "\(lines.map(\.1))")
            let failed = Int(recoveries.first?.2["failures"]?.description ?? "") ?? 0
            #expect(failed >= 4, "the sender kept looking (every 0.25 s) while it could not read: \(failed)")
        }
    }

    /// SPEC §8: the events a pipeline committed while no sender ran (a kill -9 right after the
    /// commit, or a receiver down) are delivered by the next start's sender, from the store.
    @Test func eventsCommittedByThePipelineSurviveARestart() async throws {
        let receiver = Receiver()
        try await withReceiver(receiver) { base in
            let log = dir + "/access.log"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
            let traffic = Self.traffic(start: t0, seconds: 600) + Self.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)
                + Self.traffic(start: t0.addingTimeInterval(640), seconds: 180)
            try Data(traffic.utf8).write(to: URL(fileURLWithPath: log))
            var settings = DaemonSettings(sources: [.init(pattern: log, format: .combined)], parameters: ModelParameters(), stateDirectory: dir)
            settings.threads = 1
            settings.fromStart = true
            let targets = [WebhookTarget(url: base + "/hook")]

            // The first run: the pipeline commits; its sender never runs.
            do {
                let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
                let outbox = WebhookOutbox(targets: targets, status: LiveStatus(), logger: logger)
                let pipeline = IngestPipeline(settings: settings, store: store, logger: logger, outbox: outbox)
                try pipeline.start(now: 0)
                var now = 0.0
                while pipeline.step(now: now) > 0 { now += 0.001 }
                try pipeline.flush(now: now + 1)
            }

            // The next start: a new store connection, outbox and sender.
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            var produced: Set<String> = []
            for alert in try store.alerts(AlertFilter()) {
                for e in try store.events(alertID: alert.id) { produced.insert(e.eventID) }
            }
            #expect(produced.contains { $0.hasSuffix("-opened") } && produced.contains { $0.hasSuffix("-closed") }, "\(produced)")
            #expect(try store.webhookCounts().pending == produced.count, "one outbox row per event, committed with it")
            let status = LiveStatus()
            let outbox = WebhookOutbox(targets: targets, status: status, logger: logger)
            let sender = WebhookSender(outbox: outbox, store: store, policy: fastPolicy(), status: status, logger: logger)
            let owed = produced
            // Until the rows are deleted too: the receiver records a POST before it answers.
            try await run(sender) { try receiver.acceptedEventIDs() == owed && store.webhookCounts().pending == 0 }
            #expect(receiver.acceptedEventIDs() == produced)
            #expect(try store.webhookCounts().pending == 0)
        }
    }

    /// A receiver that accepts and never answers (for two alerts) holds two of its delivery
    /// slots for one attempt's timeout each time; a new event takes the next free slot
    /// before those retries, so it waits at most about one timeout.
    @Test func hangingReceiverDelaysANewEventByAtMostOneAttempt() async throws {
        let receiver = Receiver()
        try await withReceiver(receiver) { base in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let status = LiveStatus()
            let outbox = WebhookOutbox(targets: [.init(url: base + "/hook")], status: status, logger: logger)
            var policy = RetryPolicy()
            policy.requestTimeout = 0.5
            policy.concurrency = 2
            // The stuck events are due again at once: only the order lets the new one through.
            policy.initialDelay = 0
            policy.maximumDelay = 0
            try commit(try ["stuck-1", "stuck-2"].map { AlertEvent(kind: .opened, alert: try Self.alert($0), eventID: "\($0)/0-opened") },
                       store: store, outbox: outbox)
            let sender = WebhookSender(outbox: outbox, store: store, policy: policy, status: status, logger: logger)
            let task = Task { try await sender.run() }
            defer { task.cancel() }
            try await Task.sleep(for: .milliseconds(300))
            let committed = ContinuousClock.now
            try commit([AlertEvent(kind: .opened, alert: try Self.alert("fresh"), eventID: "fresh/0-opened")], store: store, outbox: outbox)
            while receiver.accepted("/hook").isEmpty, ContinuousClock.now - committed < .seconds(6) {
                try await Task.sleep(for: .milliseconds(10))
            }
            let arrived = receiver.posts.withLock { $0.first { $0.alertID == "fresh" }?.at }
            let delay = try #require(arrived, "the new event never arrived behind the hanging receiver") - committed
            print("webhook: new event delivered \(delay) after its commit, behind a hanging receiver (timeout 0.5 s, 2 slots)")
            #expect(delay < .milliseconds(1_200), "\(delay)")
            // The receiver has answered; the sender deletes the row just after.
            for _ in 0..<100 where try store.webhookCounts().pending > 2 { try await Task.sleep(for: .milliseconds(20)) }
            task.cancel()
            _ = await task.result
            #expect(try store.webhookDeliveries(state: .pending).map(\.eventID).sorted() == ["stuck-1/0-opened", "stuck-2/0-opened"],
                    "the stuck ones stay owed")
        }
    }

    /// Given up: a 4xx at once, a 503 once its attempts are spent; counted, kept and listed.
    @Test func givenUpEventsAreCountedAndKept() async throws {
        let receiver = Receiver()
        try await withReceiver(receiver) { base in
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let status = LiveStatus()
            let outbox = WebhookOutbox(targets: [.init(url: base + "/gone"), .init(url: base + "/down"), .init(url: base + "/ok")],
                                       status: status, logger: logger)
            var policy = fastPolicy()
            policy.maximumAttempts = 2
            try commit([AlertEvent(kind: .opened, alert: try Self.alert("one"), eventID: "one/0-opened")], store: store, outbox: outbox)
            let sender = WebhookSender(outbox: outbox, store: store, policy: policy, status: status, logger: logger)
            try await run(sender) { try store.webhookCounts().pending == 0 }
            let given = try store.webhookDeliveries(state: .givenUp)
            #expect(given.map(\.receiver) == [base + "/gone", base + "/down"])
            #expect(given.map(\.attempts) == [1, 2])
            #expect(given[0].lastError?.hasPrefix("HTTP 404 (not retried") == true, "\(given)")
            #expect(given[1].lastError == "HTTP 503 (gave up after 2 attempts)", "\(given)")
            let s = status.snapshot
            #expect(s.webhooksSent == 1 && s.webhooksFailed == 2 && s.webhooksGivenUp == 2 && s.webhooksPending == 0, "\(s)")

            // The next start without /down configured: what was still owed to it is given up too.
            try commit([AlertEvent(kind: .closed, alert: try Self.alert("one", end: "2026-11-24T10:05:00Z"), eventID: "one/1-closed")],
                       store: store, outbox: outbox)
            let next = WebhookOutbox(targets: [.init(url: base + "/ok")], status: status, logger: logger)
            try await run(WebhookSender(outbox: next, store: store, policy: policy, status: status, logger: logger)) {
                try store.webhookCounts().pending == 0
            }
            #expect(try store.webhookDeliveries(state: .givenUp).filter { $0.lastError == "receiver no longer configured" }.map(\.receiver)
                    == [base + "/gone", base + "/down"])
            #expect(receiver.accepted("/ok") == ["opened:one", "closed:one"])
        }
    }

    /// Combined-format traffic: quiet writes, plus a retry storm from one client on one order.
    static func traffic(start: Date, seconds: Int, perSecond: Int = 4, storm: Bool = false) -> String {
        OrderTraffic.combined(start: start, seconds: seconds, perSecond: perSecond, storm: storm)
    }
}
