import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import ConflictWatchTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceLifecycle
import Testing

/// SPEC §9's protection of the daemon, on a real port: idle and half-sent connections are
/// closed after their timeouts, connections over the cap are closed at once, and every 4xx
/// the server produces has the JSON error body.
/// Serialized: each test holds hundreds of sockets and counts them exactly.
@Suite(.serialized) struct ServerLimitsTests {
    /// Runs `body` with the port of a live server over an empty store, in a service group as
    /// the daemon runs it, without a test client (whose own connection would be counted).
    func withLiveServer(_ limits: ServerLimits, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        raiseOpenFileLimit()
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let configuration = try QueryServerConfiguration(host: "127.0.0.1", port: 0, limits: limits)
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let app = buildQueryApplication(configuration: configuration, store: fixture.reader, status: nil, logger: StoreFixture.logger,
                                        onListening: { listening.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [app], logger: StoreFixture.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var next = ports.makeAsyncIterator()
            let port = try #require(await next.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// One request on a fresh connection, the whole response read (the server closes after
    /// a `Connection: close` request).
    func rawGet(_ port: Int, _ target: String) async throws -> RawConnection {
        let c = try await RawConnection(port: port)
        try await c.send("GET \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        #expect(await c.waitForClose(timeout: .seconds(10)), "GET \(target): no close")
        return c
    }

    /// A sample of `/metrics`, read again for up to 5 s until `expected` holds: the server
    /// sees a client's close a moment after the client made it.
    func metric(_ port: Int, _ name: String, _ expected: (Double) -> Bool) async throws -> Double? {
        var value: Double?
        for _ in 0..<50 {
            value = try PrometheusText(try await rawGet(port, "/metrics").body ?? "").samples[name]
            if let value, expected(value) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return value
    }

    @Test func idleAndHalfSentConnectionsAreClosedAfterTheirTimeouts() async throws {
        let limits = ServerLimits(idleTimeout: .seconds(3), requestTimeout: .seconds(1), maxConnections: 1_000)
        try await withLiveServer(limits) { port in
            var silent: [RawConnection] = []
            var halfSent: [RawConnection] = []
            var keptAlive: [RawConnection] = []
            for _ in 0..<150 { silent.append(try await RawConnection(port: port)) }
            for i in 0..<150 {
                let c = try await RawConnection(port: port)
                // Slowloris: a head that never ends, one more header now and then.
                try await c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow-\(i): 1\r\n")
                halfSent.append(c)
            }
            for _ in 0..<100 {
                let c = try await RawConnection(port: port)
                try await c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                keptAlive.append(c)
            }
            // Note when each response arrives: the idle timeout counts from there.
            let answerDeadline = ContinuousClock.now + .seconds(10)
            while keptAlive.contains(where: { $0.firstByteAt == nil }), ContinuousClock.now < answerDeadline {
                for c in keptAlive { c.poll() }
                try await Task.sleep(for: .milliseconds(2))
            }
            // More header bytes before the request timeout do not buy more time.
            try await Task.sleep(for: .milliseconds(500))
            for c in halfSent { try? await c.send("X-More: 1\r\n") }

            let all = silent + halfSent + keptAlive
            let open = await waitAllClosed(all, timeout: .seconds(30))
            #expect(open.isEmpty, "\(open.count) of \(all.count) connections still open after 30 s")

            let second = Duration.seconds(1)
            for c in silent {
                #expect(c.received.isEmpty, "nothing was asked, nothing is answered: \(c.text)")
                #expect(c.closedAt.map { $0 - c.openedAt >= second * 0.95 } == true, "a silent connection was closed before the request timeout")
            }
            for c in halfSent {
                #expect(c.status == 408, "\(c.text.prefix(80))")
                #expect(c.errorMessage?.contains("request head did not arrive within 1 s") == true, "\(c.text)")
                #expect(c.closedAt.map { $0 - c.openedAt >= second * 0.95 } == true)
            }
            for c in keptAlive {
                #expect(c.status == 200, "\(c.text.prefix(80))")
                // Idle after its response: the idle timeout (3 s), not the request timeout, applies.
                if let closed = c.closedAt, let answered = c.firstByteAt {
                    #expect(closed - answered >= second * 2.9, "closed \(closed - answered) after its response")
                }
            }
            let timedOut = try await metric(port, "conflictwatch_api_connections_timed_out_total") { $0 == Double(all.count) }
            #expect(timedOut == Double(all.count), "\(String(describing: timedOut))")
            #expect(try await metric(port, "conflictwatch_api_connections") { $0 == 1 } == 1, "only the scrape's own connection is open")
        }
    }

    @Test func connectionsOverTheCapAreClosedAtOnceAndHealthAnswersBelowIt() async throws {
        let limits = ServerLimits(idleTimeout: .seconds(60), requestTimeout: .seconds(60), maxConnections: 100)
        try await withLiveServer(limits) { port in
            // Which 100 are admitted is up to the event loops (two set connections up in
            // parallel), so: 300 connections, and exactly 200 of them closed at once.
            let started = ContinuousClock.now
            var all: [RawConnection] = []
            for _ in 0..<300 { all.append(try await RawConnection(port: port)) }
            var closed: [RawConnection] = []
            while closed.count < 200, ContinuousClock.now - started < .seconds(10) {
                closed = all.filter { $0.poll() }
                try await Task.sleep(for: .milliseconds(20))
            }
            let took = ContinuousClock.now - started
            try await Task.sleep(for: .milliseconds(500))
            closed = all.filter { $0.poll() }
            let held = all.filter { !$0.poll() }
            #expect(closed.count == 200 && held.count == 100, "\(closed.count) closed, \(held.count) open")
            #expect(took < .seconds(10), "\(took)")
            for c in closed {
                #expect(c.status == 503, "\(c.text.prefix(80))")
                #expect(c.errorMessage?.contains("100 connections open, its limit") == true, "\(c.text)")
            }
            // A probe is refused while they are held.
            #expect(try await rawGet(port, "/healthz").status == 503)

            for c in held.prefix(10) { c.close() }
            var health: RawConnection?
            for _ in 0..<100 {
                let c = try await rawGet(port, "/healthz")
                if c.status == 200 { health = c; break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(health?.body?.contains("\"status\" : \"ok\"") == true, "/healthz answers once below the cap")
            health?.close()
            #expect(try await metric(port, "conflictwatch_api_connections_refused_total") { $0 >= 201 }.map { $0 >= 201 } == true)
            let open = try await metric(port, "conflictwatch_api_connections") { $0 == 91 }
            #expect(open == 91, "90 held and the scrape: \(String(describing: open))")
            #expect(held.dropFirst(10).allSatisfy { !$0.poll() })
        }
    }

    @Test func requestsTheDecoderRejectsGetTheJSONErrorBody() async throws {
        try await withLiveServer(ServerLimits()) { port in
            let oversized = try await RawConnection(port: port)
            // The server may answer and close before all of it is sent.
            try? await oversized.send("GET /api/v1/alerts?route=" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(await oversized.waitForClose(timeout: .seconds(10)))
            #expect(oversized.status == 400, "\(oversized.text.prefix(200))")
            #expect(oversized.text.lowercased().contains("content-type: application/json"))
            #expect(oversized.errorMessage?.contains("longer than 80 KiB") == true, "\(oversized.text.prefix(300))")

            for malformed in [
                "GARBAGE\r\n\r\n",
                "GET / HTTP/9.9\r\nHost: localhost\r\n\r\n",
                "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n",
                "GET /\u{1}x HTTP/1.1\r\nHost: localhost\r\n\r\n",
            ] {
                let c = try await RawConnection(port: port)
                try await c.send(malformed)
                #expect(await c.waitForClose(timeout: .seconds(10)), "\(malformed.debugDescription)")
                #expect(c.status == 400, "\(malformed.debugDescription): \(c.text.prefix(200))")
                #expect(c.errorMessage?.hasPrefix("malformed HTTP request") == true, "\(malformed.debugDescription): \(c.text)")
            }
            for (target, status) in [("/nothing-here", 404), ("/api/v1/alerts?route=%ZZ%", 400)] {
                let c = try await rawGet(port, target)
                #expect(c.status == status && c.errorMessage != nil, "\(target): \(c.text)")
            }
            let post = try await RawConnection(port: port)
            try await post.send("POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            #expect(await post.waitForClose(timeout: .seconds(10)))
            #expect(post.status == 405 && post.errorMessage != nil, "\(post.text)")
        }
    }

    @Test(arguments: [
        ("/api/v1/alerts?route=%ZZ%", "route: invalid percent-encoding"),
        ("/api/v1/alerts?client=10.0.0.%2", "client: invalid percent-encoding"),
        ("/api/v1/alerts?route=%FF", "route: invalid percent-encoding"),
        ("/api/v1/routes?since=1h%", "since: invalid percent-encoding"),
        ("/api/v1/alerts?%ZZ=1", "%ZZ: the name has invalid percent-encoding"),
    ])
    func invalidPercentEncodingNamesTheParameter(target: String, message: String) async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture) { client in
            let r = try await client.get(target)
            #expect(r.status == 400, "\(target): \(r.text)")
            #expect(r.errorMessage?.hasPrefix(message) == true, "\(target): \(r.text)")
        }
    }
}
