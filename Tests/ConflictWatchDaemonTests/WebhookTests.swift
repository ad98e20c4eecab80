import ConflictWatchCore
import ConflictWatchServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
@testable import ConflictWatchDaemon

@Suite struct WebhookTests {
    static func alert(_ id: String, severity: Alert.Severity = .high, end: String? = nil, peak: Int = 3) throws -> Alert {
        let json = """
            {"id":"\(id)","kind":"burst","class":["single_client"],"severity":"\(severity.rawValue)",
             "route":"/api/orders/{id}","resource":"/api/orders/13","client":"127.0.0.66","statuses":{"409":\(peak)},
             "start":"2026-11-24T10:00:00Z","end":\(end.map { "\"\($0)\"" } ?? "null"),"peak_count":\(peak),"expected":0.5,
             "score":9.1,"probability":null,"top_clients":[],"top_resources":[],"samples":[],"reason":"test"}
            """
        return try JSONDecoder().decode(Alert.self, from: Data(json.utf8))
    }

    // MARK: body and policy

    @Test func bodyIsTheAlertJSONWithTheEvent() throws {
        let a = try Self.alert("c", end: "2026-11-24T10:01:00Z")
        let body = try AlertEvent(kind: .closed, alert: a, eventID: "c/1-closed").jsonBody()
        var fields = try #require(JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(fields.removeValue(forKey: "event") as? String == "closed")
        #expect(fields.removeValue(forKey: "event_id") as? String == "c/1-closed")
        let plain = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any])
        #expect(NSDictionary(dictionary: fields).isEqual(to: plain), "\(fields)")
        #expect(fields["resource"] as? String == "/api/orders/13", "slashes are not escaped for humans reading the hook")
        #expect(String(decoding: body, as: UTF8.self).contains("\"/api/orders/13\""))
    }

    @Test func backoffDoublesToTheCapAndStops() {
        let p = RetryPolicy()
        #expect((1...8).map { p.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 32, 60, nil])
        #expect(p.delay(afterAttempt: 1, retryAfter: 30) == 30)
        #expect(p.delay(afterAttempt: 3, retryAfter: 1) == 4, "Retry-After never shortens the back-off")
        #expect(p.delay(afterAttempt: 1, retryAfter: 3600) == 60)
        #expect(RetryPolicy.retryAfterSeconds(" 12 ") == 12)
        #expect(RetryPolicy.retryAfterSeconds("Wed, 21 Oct 2026 07:28:00 GMT") == nil)
        #expect([200, 204, 408, 429, 500, 503, 400, 401, 404, 410].map(RetryPolicy.verdict) ==
                [.delivered, .delivered, .retry, .retry, .retry, .retry, .permanentFailure, .permanentFailure, .permanentFailure, .permanentFailure])
    }

    @Test func severityFilter() throws {
        let t = WebhookTarget(url: "http://x", minSeverity: .high)
        #expect(t.wants(AlertEvent(kind: .opened, alert: try Self.alert("d", severity: .critical))))
        #expect(!t.wants(AlertEvent(kind: .opened, alert: try Self.alert("d", severity: .medium))))
    }

    // MARK: delivery to a real HTTP receiver

    /// What the receiver saw: per path, the bodies' (event, id) in arrival order.
    final class Receiver: Sendable {
        /// Per path: (event, alert id, X-Conflictwatch-Event header, arrival).
        let seen = Mutex<[String: [(String, String, String?, ContinuousClock.Instant)]]>([:])
        /// Answers per path, in order, before answering 200 for good.
        let script: Mutex<[String: [HTTPResponse.Status]]>

        init(script: [String: [HTTPResponse.Status]]) { self.script = Mutex(script) }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/{hook}") { request, context -> Response in
                let path = request.uri.path
                let body = try await request.body.collect(upTo: 1 << 20)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
                self.seen.withLock {
                    $0[path, default: []].append((json["event"] as? String ?? "?", json["id"] as? String ?? "?",
                                                  request.headers[.init("X-Conflictwatch-Event")!], .now))
                }
                if path == "/slow" {
                    // A receiver that hangs, then fails: each attempt costs 0.8 s.
                    try await Task.sleep(for: .milliseconds(800))
                    return Response(status: .serviceUnavailable)
                }
                let status = self.script.withLock { s -> HTTPResponse.Status in
                    guard var queue = s[path], !queue.isEmpty else { return .ok }
                    let next = queue.removeFirst()
                    s[path] = queue
                    return next
                }
                return Response(status: status)
            }
            return router
        }

        func events(_ path: String) -> [String] {
            seen.withLock { ($0[path] ?? []).map { "\($0.0):\($0.1)" } }
        }

        func lastArrival(_ path: String) -> ContinuousClock.Instant? {
            seen.withLock { $0[path]?.last?.3 }
        }
    }

    func fastPolicy() -> RetryPolicy {
        var p = RetryPolicy()
        p.initialDelay = 0.05
        p.maximumDelay = 0.2
        p.maximumAttempts = 3
        p.requestTimeout = 1
        return p
    }

    @Test func retriesThroughOutagesInOrderAndOneSlowReceiverDelaysNoOther() async throws {
        let receiver = Receiver(script: [
            "/flaky": [.serviceUnavailable, .serviceUnavailable],  // two failures, then accepted
            "/gone": [.notFound, .notFound, .notFound],  // a wrong URL: not retried
        ])
        let app = Application(router: receiver.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let base = "http://127.0.0.1:\(port)"
            // A closed port: refused at once on every attempt.
            let dead = "http://127.0.0.1:9/x"
            let status = LiveStatus()
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let outbox = WebhookOutbox(targets: [.init(url: base + "/flaky"), .init(url: base + "/gone"), .init(url: dead),
                                                 .init(url: base + "/pager", minSeverity: .critical), .init(url: base + "/slow")],
                                       status: status, logger: logger)
            let sender = WebhookSender(outbox: outbox, policy: fastPolicy(), status: status, logger: logger)
            let a = try Self.alert("one"), b = try Self.alert("two", severity: .critical)
            let bClosed = try Self.alert("two", severity: .critical, end: "2026-11-24T10:09:00Z")
            outbox.send([AlertEvent(kind: .opened, alert: a), AlertEvent(kind: .opened, alert: b)])
            outbox.send([AlertEvent(kind: .closed, alert: bClosed)])
            outbox.finish()
            let started = ContinuousClock.now
            try await sender.run()
            let took = ContinuousClock.now - started

            #expect(receiver.events("/flaky") == ["opened:one", "opened:one", "opened:one", "opened:two", "closed:two"],
                    "the first event is tried until accepted, and order is kept")
            #expect(receiver.events("/gone") == ["opened:one", "opened:two", "closed:two"], "404 is not retried")
            #expect(receiver.events("/pager") == ["opened:two", "closed:two"], "min_severity: critical")
            #expect(receiver.seen.withLock { $0["/flaky"]?.first?.2 } == "opened", "X-Conflictwatch-Event header")
            let s = status.snapshot
            // flaky 3 + pager 2 delivered; gone 3 + dead 3 + slow 3 failed.
            #expect(s.webhooksSent == 5 && s.webhooksFailed == 9 && s.webhooksPending == 0, "\(s)")
            // The slow receiver took 3 events × 3 attempts × 0.8 s; the others were done long before
            // (a refused connection fails at once: the policy, not the client, retries it).
            #expect(receiver.events("/slow").count == 9)
            #expect(took > .seconds(7), "\(took)")
            for path in ["/flaky", "/gone", "/pager"] {
                let done = try #require(receiver.lastArrival(path)) - started
                #expect(done < .seconds(3), "\(path) finished after \(done): delayed by the slow receiver?")
            }
        }
    }
}
