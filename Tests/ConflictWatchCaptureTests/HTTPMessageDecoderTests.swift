import ConflictWatchCore
import Testing
@testable import ConflictWatchCapture

/// Feeds `text` to a decoder in chunks of the given sizes (cycling) and describes the events.
/// Response framing follows the request methods given, in order, as a connection would.
func decodeEvents(_ role: HTTPMessageDecoder.Role, _ text: String, chunks: [Int], requestMethods: [String] = [], gapAfter: Int? = nil, gapLength: Int = 0) -> [String] {
    var decoder = HTTPMessageDecoder(role: role, clientHeader: Array("x-forwarded-for".utf8))
    var methods = requestMethods[...]
    var events: [String] = []
    let bytes = Array(text.utf8)
    func handle(_ e: HTTPMessageDecoder.Event) {
        switch e {
        case .head:
            let h = decoder.head
            if h.isRequest {
                var s = "head \(h.method.lossyString) \(h.target.lossyString)"
                if let host = h.host { s += " host=\(host.lossyString)" }
                if let c = h.clientHeader { s += " xff=\(c.lossyString)" }
                if h.isHTTP09 { s += " 0.9" }
                if h.truncated { s += " truncated" }
                events.append(s)
            } else {
                events.append("head \(h.status)" + (h.truncated ? " truncated" : ""))
                if h.truncated { decoder.resynchronise(); return }
                let m = h.status >= 200 ? methods.popFirst() ?? "GET" : "GET"
                decoder.setFraming(h.responseFraming(requestMethodIsHEAD: m == "HEAD", requestIsCONNECT: m == "CONNECT"))
            }
        case .end(let n): events.append("end \(n)")
        case .rawResponse: events.append("raw")
        case .lostSync: events.append("lost")
        case .resynced: events.append("resynced")
        }
    }
    var i = 0
    var k = 0
    var gapDone = false
    while i < bytes.count {
        var n = max(1, chunks[k % chunks.count])
        if let g = gapAfter, !gapDone, i < g { n = min(n, g - i) }
        let end = min(bytes.count, i + n)
        bytes[i..<end].withUnsafeBytes { b in
            var offset = 0
            while let e = decoder.decode(b, at: &offset, time: Int64(i)) { handle(e) }
        }
        i = end
        k += 1
        if let g = gapAfter, !gapDone, i == g {
            gapDone = true
            i += gapLength
            if let e = decoder.skip(gapLength) { handle(e) }
            var offset = 0
            while let e = decoder.decode(UnsafeRawBufferPointer(start: nil, count: 0), at: &offset, time: 0) { handle(e) }
        }
    }
    if let e = decoder.finish() { handle(e) }
    return events
}

/// Chunkings every message must survive: whole, byte by byte, and odd sizes.
let chunkings: [[Int]] = [[100_000], [1], [2], [3], [7], [13, 1, 5], [64]]

@Suite struct HTTPMessageDecoderTests {
    @Test(arguments: chunkings)
    func requestsWithContentLengthAndPipelining(chunks: [Int]) {
        let text = "POST /api/orders HTTP/1.1\r\nHost: shop\r\nContent-Length: 5\r\n\r\nhelloGET /a?x=1 HTTP/1.1\r\nhost: shop\r\nX-Forwarded-For: 203.0.113.9, 10.0.0.1\r\n\r\n"
        #expect(decodeEvents(.request, text, chunks: chunks) == [
            "head POST /api/orders host=shop", "end 5", "head GET /a?x=1 host=shop xff=203.0.113.9, 10.0.0.1", "end 0",
        ])
    }

    @Test(arguments: chunkings)
    func chunkedRequestWithExtensionsAndTrailers(chunks: [Int]) {
        let text = "PUT /doc HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n4;name=v\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\nDELETE /doc HTTP/1.1\r\n\r\n"
        #expect(decodeEvents(.request, text, chunks: chunks) == ["head PUT /doc", "end 9", "head DELETE /doc", "end 0"])
    }

    @Test(arguments: chunkings)
    func responsesByLengthChunkedAndClose(chunks: [Int]) {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil the close"
        #expect(decodeEvents(.response, text, chunks: chunks) == [
            "head 200", "end 3", "head 409", "end 10", "head 200", "end 15",
        ])
    }

    @Test(arguments: chunkings)
    func interimResponsesAndBodilessOnes(chunks: [Int]) {
        // 100 Continue and 103 are skipped by the caller; HEAD, 204 and 304 have no body even
        // with a Content-Length.
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"
        #expect(decodeEvents(.response, text, chunks: chunks, requestMethods: ["POST", "HEAD", "GET", "GET", "GET"]) == [
            "head 100", "end 0", "head 103", "end 0", "head 201", "end 2", "head 200", "end 0",
            "head 204", "end 0", "head 304", "end 0", "head 200", "end 1",
        ])
    }

    @Test(arguments: chunkings)
    func expectContinueRequestBodyFollowsTheHead(chunks: [Int]) {
        let text = "PUT /big HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbodyGET /next HTTP/1.1\r\n\r\n"
        #expect(decodeEvents(.request, text, chunks: chunks) == ["head PUT /big", "end 4", "head GET /next", "end 0"])
    }

    @Test(arguments: chunkings)
    func bareLineFeedsAndEmptyLinesBetweenMessages(chunks: [Int]) {
        let text = "\r\n\nGET /a HTTP/1.0\nHost: h\n\n\r\nGET /b HTTP/1.0\n\n"
        #expect(decodeEvents(.request, text, chunks: chunks) == ["head GET /a host=h", "end 0", "head GET /b", "end 0"])
    }

    @Test(arguments: chunkings)
    func http09RequestAndRawResponse(chunks: [Int]) {
        #expect(decodeEvents(.request, "GET /bad.html\r\n", chunks: chunks) == ["head GET /bad.html 0.9", "end 0"])
        #expect(decodeEvents(.response, "<html>bare</html>", chunks: chunks) == ["raw", "end 17"])
    }

    @Test(arguments: chunkings)
    func garbageRequestLineIsKeptAsInvalid(chunks: [Int]) {
        #expect(decodeEvents(.request, "OPTIONSHTTP/1.1\r\nHost: x\r\n\r\n", chunks: chunks) == ["head  OPTIONSHTTP/1.1 host=x", "end 0"])
    }

    @Test func upgradeTurnsTheStreamIntoATunnel() {
        let text = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\u{81}\u{05}hello HTTP/1.1 200 OK\r\n\r\n"
        #expect(decodeEvents(.response, text, chunks: [5]) == ["head 101"])
    }

    @Test func gapInsideABodyOfKnownLengthKeepsSync() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        #expect(decodeEvents(.response, text, chunks: [7], gapAfter: 40, gapLength: 5) == ["head 200", "end 10", "head 404", "end 0"])
    }

    @Test func gapInsideChunkDataKeepsSync() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        #expect(decodeEvents(.response, text, chunks: [3], gapAfter: 55, gapLength: 4) == ["head 200", "end 16", "head 204", "end 0"])
    }

    @Test func gapInAHeadResynchronisesAtTheNextRequestLine() {
        let text = "GET /first HTTP/1.1\r\nHost: a\r\nUser-Agent: curl\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n"
        // The gap takes "Host: a" of the first head: the request still counts (cut short).
        #expect(decodeEvents(.request, text, chunks: [100], gapAfter: 21, gapLength: 9) == [
            "head GET /first truncated", "lost", "resynced", "head GET /second host=a", "end 0",
        ])
    }

    @Test func gapOverrunningABodyLosesTheNextMessageStart() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 201 Created\r\n\r\n"
        let events = decodeEvents(.response, text, chunks: [100], gapAfter: 40, gapLength: 10)
        #expect(events == ["head 200", "end 4", "lost", "resynced", "head 201", "end 0"])
    }

    @Test func snaplenCutResponseHeadStillGivesTheStatus() {
        let text = "HTTP/1.1 503 Service Unavailable\r\nDate: Thu, 07 Mar 2013\r\nContent-Length: 4\r\n\r\nbusyHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
        #expect(decodeEvents(.response, text, chunks: [100], gapAfter: 40, gapLength: 40) == [
            "head 503 truncated", "resynced", "head 200", "end 0",
        ])
    }

    @Test func oversizedHeadIsDroppedAndTheNextRequestFound() {
        var decoder = HTTPMessageDecoder(role: .request, maxHeadBytes: 1024)
        var events: [String] = []
        let big = "GET /x HTTP/1.1\r\nCookie: " + String(repeating: "a", count: 5000) + "\r\n\r\nGET /y HTTP/1.1\r\n\r\n"
        for chunk in Array(big.utf8).chunked(100) {
            chunk.withUnsafeBytes { b in
                var o = 0
                while let e = decoder.decode(b, at: &o, time: 0) {
                    if case .head = e { events.append(decoder.head.target.lossyString) }
                    if case .lostSync = e { events.append("lost") }
                }
            }
        }
        #expect(events == ["lost", "/y"])
    }

    @Test func conflictingContentLengthsMakeTheRequestUnframeable() {
        let events = decodeEvents(.request, "POST /a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhellox\r\nGET /b HTTP/1.1\r\n\r\n", chunks: [100])
        #expect(events == ["head POST /a", "lost", "resynced", "head GET /b", "end 0"])
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min(count, $0 + size)]) }
    }
}
