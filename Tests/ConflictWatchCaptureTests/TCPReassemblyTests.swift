import ConflictWatchCore
import Testing
@testable import ConflictWatchCapture

@Suite struct TCPReassemblyTests {
    static let request = "GET /api/orders/42 HTTP/1.1\r\nHost: shop\r\n\r\n"
    static let response = "HTTP/1.1 409 Conflict\r\nContent-Length: 12\r\n\r\nstale ETag!!"

    static func keepAlive(requests: Int = 3, segments: [Int] = [1460]) -> Conversation {
        var c = Conversation()
        c.handshake()
        for i in 0..<requests {
            c.send(fromClient: true, "PUT /api/orders/\(i) HTTP/1.1\r\nHost: shop\r\nContent-Length: 2\r\n\r\n{}", segments: segments)
            c.send(fromClient: false, "HTTP/1.1 \(i == 1 ? 409 : 200) X\r\nContent-Length: 5\r\n\r\nhello", segments: segments)
        }
        c.fin(fromClient: true)
        c.fin(fromClient: false)
        return c
    }

    static let expected = [
        Seen(client: "10.0.0.1", method: "PUT", path: "/api/orders/0", status: 200, bytes: 5, host: "shop"),
        Seen(client: "10.0.0.1", method: "PUT", path: "/api/orders/1", status: 409, bytes: 5, host: "shop"),
        Seen(client: "10.0.0.1", method: "PUT", path: "/api/orders/2", status: 200, bytes: 5, host: "shop"),
    ]

    @Test(arguments: [[1460], [1], [3], [7, 2], [17]])
    func inOrderSegmentsOfAnySize(segments: [Int]) {
        let (x, report) = reconstruct(Self.keepAlive(segments: segments).packets)
        #expect(x == Self.expected)
        #expect(report.flows == 1)
        #expect(report.httpFlows == 1)
        #expect(report.gaps == 0)
    }

    @Test func outOfOrderSegmentsAreReordered() {
        var packets = Self.keepAlive(segments: [9]).packets
        // Swap neighbours all through the conversation (after the handshake).
        var i = 3
        while i + 1 < packets.count - 2 {
            packets.swapAt(i, i + 1)
            i += 3
        }
        let (x, report) = reconstruct(packets)
        #expect(x == Self.expected)
        #expect(report.outOfOrder > 0)
        #expect(report.gaps == 0)
    }

    @Test func retransmissionsAndDuplicatesAreDropped() {
        var packets = Self.keepAlive(segments: [10]).packets
        for i in stride(from: packets.count - 3, through: 3, by: -4) { packets.insert(packets[i], at: i + 2) }
        let (x, report) = reconstruct(packets)
        #expect(x == Self.expected)
        #expect(report.retransmissions > 0)
    }

    @Test func midStreamStartWithoutSYN() {
        var c = Conversation()
        // The capture starts inside a response body, then whole exchanges follow.
        c.send(fromClient: false, "tail of an earlier body\r\nmore body")
        c.send(fromClient: true, Self.request)
        c.send(fromClient: false, Self.response)
        let (x, report) = reconstruct(c.packets)
        #expect(x == [Seen(client: "10.0.0.1", method: "GET", path: "/api/orders/42", status: 409, bytes: 12, host: "shop")])
        #expect(report.httpFlows == 1)
    }

    @Test func responseSeenFirstStillFindsTheClient() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, Self.request)
        c.send(fromClient: false, Self.response)
        var packets = c.packets
        packets.swapAt(3, 4)  // the response is stored before its request
        let (x, _) = reconstruct(packets)
        // Paired in order, the response came with no request before it: an orphan; the request
        // is then unanswered. The client is still the request's sender.
        #expect(x.count == 1)
        #expect(x.first?.client == "10.0.0.1")
    }

    @Test func lostSegmentInABodyIsAGapAndTheStreamGoesOn() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "GET /a HTTP/1.1\r\n\r\n")
        // A 39-byte head, then 40 body bytes, in 8-byte segments.
        c.send(fromClient: false, "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + String(repeating: "x", count: 40), segments: [8])
        c.send(fromClient: true, "GET /b HTTP/1.1\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.1 409 Conflict\r\nContent-Length: 0\r\n\r\n")
        let serverData = c.packets.indices.filter { i in
            let f = c.packets[i].frame
            return f.count > 54 && f[34] == 0x1F && f[35] == 0x90  // from port 8080, with data
        }
        c.packets.remove(at: serverData[6])  // bytes 48..<56: inside the body
        let (x, report) = reconstruct(c.packets)
        #expect(x.map(\.description) == ["10.0.0.1 GET /a 200 40", "10.0.0.1 GET /b 409 0"])
        #expect(report.gaps == 1)
        #expect(report.gapBytes == 8)
    }

    @Test func lostRequestHeadResynchronisesAtTheNextRequest() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "GET /lost HTTP/1.1\r\nHost: a\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        c.send(fromClient: true, "GET /kept HTTP/1.1\r\nHost: a\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        c.fin(fromClient: true)
        c.fin(fromClient: false)
        var packets = c.packets
        packets.remove(at: 3)  // the first request
        let (x, report) = reconstruct(packets)
        // The first response has no request (orphan); the second pairs with /kept.
        #expect(x.map(\.description) == ["10.0.0.1 GET /kept 404 0"])
        #expect(report.orphanResponses == 1)
        #expect(report.resyncs >= 1)
    }

    @Test func pipelinedRequestsPairInOrder() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "GET /1 HTTP/1.1\r\n\r\nHEAD /2 HTTP/1.1\r\n\r\nDELETE /3 HTTP/1.1\r\n\r\n", segments: [11])
        c.send(fromClient: false, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 423 Locked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", segments: [13])
        let (x, report) = reconstruct(c.packets)
        #expect(x.map(\.description) == ["10.0.0.1 GET /1 200 1", "10.0.0.1 HEAD /2 200 0", "10.0.0.1 DELETE /3 423 3"])
        #expect(report.unanswered == 0)
    }

    @Test func unansweredRequestsAreReportedAtTheEnd() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        let (x, report) = reconstruct(c.packets)
        #expect(x.map(\.description) == ["10.0.0.1 POST /a 201 0", "10.0.0.1 POST /b -1 -1"])
        #expect(report.unanswered == 1)
    }

    @Test func closeDelimitedResponseEndsAtFIN() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "GET /old HTTP/1.0\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.0 200 OK\r\n\r\n0123456789", segments: [6])
        c.fin(fromClient: false)
        c.fin(fromClient: true)
        let (x, _) = reconstruct(c.packets)
        #expect(x.map(\.description) == ["10.0.0.1 GET /old 200 10"])
    }

    @Test func expectContinueAndInterimResponses() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "PUT /doc HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.1 100 Continue\r\n\r\n")
        c.send(fromClient: true, "body")
        c.send(fromClient: false, "HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\n\r\n")
        let (x, _) = reconstruct(c.packets)
        #expect(x.map(\.description) == ["10.0.0.1 PUT /doc 412 0"])
    }

    @Test func tlsAndHTTP2AreRecognisedAndSkipped() {
        var tls = Conversation()
        tls.handshake()
        tls.send(fromClient: true, [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])
        var h2 = Conversation()
        h2.clientPort = 40001
        h2.handshake()
        h2.send(fromClient: true, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        let (x, report) = reconstruct(tls.packets + h2.packets)
        #expect(x.isEmpty)
        #expect(report.tlsFlows == 1)
        #expect(report.http2Flows == 1)
    }

    @Test func clientFromAConfiguredHeader() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "GET / HTTP/1.1\r\nX-Forwarded-For: 198.51.100.7, 10.1.1.1\r\n\r\n")
        c.send(fromClient: false, "HTTP/1.1 204 No Content\r\n\r\n")
        var configuration = CaptureConfiguration()
        configuration.clientHeader = "X-Forwarded-For"
        #expect(reconstruct(c.packets, configuration: configuration).exchanges.first?.client == "198.51.100.7")
        #expect(reconstruct(c.packets).exchanges.first?.client == "10.0.0.1")
    }

    @Test func latencyAndTimeComeFromTheFirstBytes() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, Self.request)
        c.send(fromClient: false, Self.response)
        var r = ExchangeReconstructor(linkType: .ethernet)
        var seen: [(Int64, Int64)] = []
        for p in c.packets { p.frame.withUnsafeBytes { r.process(time: p.time, frame: $0) { x, _ in seen.append((x.time, x.latencyMicros)) } } }
        #expect(seen.count == 1)
        #expect(seen.first?.0 == c.packets[3].time)
        #expect(seen.first?.1 == c.packets[4].time - c.packets[3].time)
    }

    @Test func pendingQueueIsBounded() {
        var c = Conversation()
        c.handshake()
        for i in 0..<150 { c.send(fromClient: true, "GET /\(i) HTTP/1.1\r\n\r\n") }
        var configuration = CaptureConfiguration()
        configuration.maxPendingRequests = 100
        let (x, report) = reconstruct(c.packets, configuration: configuration)
        #expect(x.count == 150)
        #expect(report.pendingOverflows == 50)
        #expect(x.allSatisfy { $0.status == -1 })
    }

    @Test func flowTableIsBoundedAndIdleFlowsClose() {
        var packets: [Conversation.Packet] = []
        for i in 0..<300 {
            var c = Conversation()
            c.clientPort = UInt16(20000 + i)
            c.time += Int64(i) * 10_000_000  // 10 s apart
            c.send(fromClient: true, "GET /\(i) HTTP/1.1\r\n\r\n")
            packets += c.packets
        }
        var configuration = CaptureConfiguration()
        configuration.maxFlows = 64
        configuration.idleTimeoutMicros = 60_000_000
        var r = ExchangeReconstructor(linkType: .ethernet, configuration: configuration)
        var emitted = 0
        var maxFlows = 0
        for p in packets {
            p.frame.withUnsafeBytes { r.process(time: p.time, frame: $0) { _, _ in emitted += 1 } }
            maxFlows = max(maxFlows, r.flowCount)
        }
        #expect(maxFlows <= 7)  // 60 s of 10 s-apart flows
        #expect(r.report.idleFlows > 250)
        r.finish { _, _ in emitted += 1 }
        #expect(emitted == 300)

        configuration.idleTimeoutMicros = 1 << 50
        var full = ExchangeReconstructor(linkType: .ethernet, configuration: configuration)
        for p in packets { p.frame.withUnsafeBytes { full.process(time: p.time, frame: $0) { _, _ in } }; #expect(full.flowCount <= 64) }
        #expect(full.report.evictedFlows > 0)
    }

    @Test func portReuseStartsANewConnection() {
        var first = Conversation()
        first.handshake()
        first.send(fromClient: true, "GET /one HTTP/1.1\r\n\r\n")
        var second = Conversation()
        second.clientSeq = 5_000_000
        second.time = first.time + 1000
        second.handshake()
        second.send(fromClient: true, "GET /two HTTP/1.1\r\n\r\n")
        second.send(fromClient: false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        let (x, report) = reconstruct(first.packets + second.packets)
        #expect(x.map(\.description) == ["10.0.0.1 GET /one -1 -1", "10.0.0.1 GET /two 200 0"])
        #expect(report.flows == 2)
    }
}
