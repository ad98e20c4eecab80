import Testing
@testable import ConflictWatchCore

@Suite struct JSONLogParserTests {
    @Test func nginxEscapeJSONWithMsec() throws {
        let line = #"{"msec":"1693840791.756","remote_addr":"2001:db8::7","request_method":"PATCH","request_uri":"/api/carts/aB3dE9xQ2?x=1","status":"412","body_bytes_sent":"0","request_time":"0.012","http_user_agent":"say \"hi\" \u00e9\\","host":"api.example.com","request_id":"r-1"}"#
        let x = try #require(parseLine(line, format: .json).value)
        #expect(x.time == us(1_693_840_791, 756_000))
        #expect(x.client == "2001:db8::7")
        #expect(x.method == "PATCH")
        #expect(x.path == "/api/carts/aB3dE9xQ2")
        #expect(x.query == "x=1")
        #expect(x.route == "/api/carts/{token}")
        #expect(x.status == 412)
        #expect(x.bytes == 0)
        #expect(x.latencyMs == 12)
        #expect(x.userAgent == "say \"hi\" é\\")
        #expect(x.host == "api.example.com")
        #expect(x.requestID == "r-1")
    }

    @Test func nginxRequestLineOnly() throws {
        let x = try #require(parseLine(#"{"time_local":"10/Oct/2000:13:55:36 -0700","remote_addr":"1.2.3.4","request":"DELETE /api/orders/7 HTTP/1.1","status":204}"#).value)
        #expect(x.method == "DELETE")
        #expect(x.route == "/api/orders/{id}")
        #expect(x.time == us(971_211_336))
        #expect(x.status == 204)
    }

    @Test func caddyAccessRecord() throws {
        let line = #"{"level":"info","ts":1693840791.7564995,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"172.17.0.1","remote_port":"44790","client_ip":"127.0.0.1","proto":"HTTP/1.0","method":"PUT","host":"127.0.0.1:8080","uri":"/api/orders/9?v=2","headers":{"User-Agent":["curl/7.74.0"],"Accept":["*/*"]}},"bytes_read":0,"duration":0.0025,"size":12,"status":409,"resp_headers":{"Server":["Caddy"]}}"#
        let x = try #require(parseLine(line).value)
        #expect(x.client == "127.0.0.1")
        #expect(x.method == "PUT")
        #expect(x.host == "127.0.0.1:8080")
        #expect(x.path == "/api/orders/9")
        #expect(x.status == 409)
        #expect(x.bytes == 12)
        #expect(x.latencyMs == 2.5)
        #expect(x.userAgent == "curl/7.74.0")
    }

    @Test func caddyStatusZeroMeansNoResponse() throws {
        let x = try #require(parseLine(#"{"ts":1693840791.5,"request":{"remote_ip":"1.2.3.4","method":"GET","uri":"/"},"status":0,"size":0}"#).value)
        #expect(x.status == nil)
    }

    @Test func envoyRecordUsesMilliseconds() throws {
        let line = #"{":authority":"www.example.com","bytes_sent":121258,"downstream_remote_address":"[fd00::5a24]:43000","duration":11,"method":"GET","response_code":200,"start_time":"2025-12-31T16:37:40.479Z","user-agent":"Mozilla/4.0","x-envoy-origin-path":"/assets/image.webp","x-request-id":"3bbc"}"#
        let x = try #require(parseLine(line).value)
        #expect(x.client == "fd00::5a24")
        #expect(x.latencyMs == 11)
        #expect(x.path == "/assets/image.webp")
        #expect(x.host == "www.example.com")
        #expect(x.requestID == "3bbc")
        #expect(x.bytes == 121_258)
    }

    @Test func traefikRecord() throws {
        let line = #"{"ClientHost":"192.168.1.100,10.0.0.50","DownstreamContentSize":357,"DownstreamStatus":200,"Duration":357313,"RequestHost":"test.localhost","RequestMethod":"POST","RequestPath":"/api/items","StartUTC":"2026-01-08T13:19:15.980123Z","request_User-Agent":"Nikto"}"#
        let x = try #require(parseLine(line).value)
        #expect(x.client == "192.168.1.100")
        #expect(x.latencyMs == 0.357)
        #expect(x.method == "POST")
        #expect(x.userAgent == "Nikto")
    }

    @Test(arguments: [
        (#"{"level":"debug","ts":1742400753.05,"logger":"http.handlers.reverse_proxy","msg":"selected upstream"}"#, MalformedReason.missingMethod),
        (#"{"method":"GET","uri":"/","ts":1}"#, .missingStatus),
        (#"{"method":"GET","uri":"/","status":200}"#, .missingTime),
        (#"{"method":"GET","uri":"/","status":200,"ts":"yesterday"}"#, .badTime),
        (#"{"method":"GET","status":200,"ts":1"#, .invalidJSON),
        (#"{"method":"GET","status":200,"ts":1} trailing"#, .invalidJSON),
        (#"{"method":"G\x"}"#, .invalidJSON),
        (#"{"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#, .invalidJSON),
    ])
    func rejectsNonAccessAndBrokenRecords(line: String, reason: MalformedReason) {
        #expect(parseLine(line, format: .json).failureReason == reason)
    }

    @Test func loneSurrogateBecomesReplacementCharacter() throws {
        let x = try #require(parseLine(#"{"method":"GET","status":200,"ts":1,"user_agent":"a\ud800b","uri":"/"}"#).value)
        #expect(x.userAgent == "a\u{FFFD}b")
    }

    @Test func prefixedLinesInAuto() throws {
        let cri = try #require(parseLine(#"2025-12-31T17:37:40.493035218+01:00 stdout F {"method":"GET","path":"/a","response_code":200,"start_time":"2025-12-31T16:37:40.479Z"}"#).value)
        #expect(cri.path == "/a")
        let compose = try #require(parseLine(#"caddy  | {"ts":1761019822.3,"request":{"remote_ip":"1.2.3.4","method":"GET","uri":"/b"},"status":200}"#).value)
        #expect(compose.path == "/b")
        let envoyText = try #require(parseLine(#"2026-01-24T01:34:36.743000000+00:00 stdout F [2026-01-24T01:34:36.743Z] "GET /test HTTP/1.1" 200 - 0 256 50 25 "[fd00:1234:5678::5a24]" "curl/8.10.1" "rid" "example.com" "tcp://[fd00::e18]:8080""#).value)
        #expect(envoyText.client == "fd00:1234:5678::5a24")
        #expect(envoyText.bytes == 256)
        #expect(envoyText.latencyMs == 50)
        #expect(envoyText.requestID == "rid")
        #expect(envoyText.host == "example.com")
    }
}


/// The sixteen-bytes-at-a-time string scan against a plain byte loop, on strings with the
/// special bytes (and UTF-8 lead bytes, which must not count) at every offset of the first three
/// blocks and in the byte-by-byte tail.
@Suite struct JSONStringScanTests {
    static func naive(_ b: [UInt8], _ i: Int) -> (end: Int, escaped: Bool)? {
        var j = i + 1
        var escaped = false
        while j < b.count {
            let c = b[j]
            if c == 0x22 { return (j, escaped) }
            if c == 0x5C { escaped = true; j += 2; continue }
            if c < 0x20 { return nil }
            j += 1
        }
        return nil
    }

    @Test("same end, escape flag and refusals as a byte loop, for every offset and special byte")
    func matchesByteLoop() {
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x0A, 0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xFF]
        var checked = 0
        for length in 0..<50 {
            for at in 0..<max(length, 1) {
                for special in specials {
                    for tail in [[UInt8](), [0x22], [0x5C, 0x22, 0x61, 0x22], [0x61, 0x62, 0x22, 0x20]] {
                        var bytes: [UInt8] = [0x22] + (0..<length).map { UInt8(0x61 + $0 % 26) } + tail
                        if length > 0 { bytes[1 + at] = special }
                        let got = bytes.withUnsafeBytes { JSONLogParser.scanString($0, 0) }
                        let want = Self.naive(bytes, 0)
                        #expect(got?.end == want?.end && (got?.escaped ?? false) == (want?.escaped ?? false),
                                "\(bytes): got \(String(describing: got)), want \(String(describing: want))")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 40_000)
    }
}
