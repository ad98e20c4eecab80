import Testing
@testable import ConflictWatchCore

@Suite struct CombinedLogParserTests {
    @Test func combinedLine() throws {
        let x = try #require(parseLine(#"203.0.113.7 - alice [10/Oct/2000:13:55:36 -0700] "PUT /api/orders/42?force=1 HTTP/1.1" 409 77 "https://ex.com/" "curl/8.5.0""#).value)
        #expect(x.client == "203.0.113.7")
        #expect(x.method == "PUT")
        #expect(x.path == "/api/orders/42")
        #expect(x.query == "force=1")
        #expect(x.route == "/api/orders/{id}")
        #expect(x.status == 409)
        #expect(x.bytes == 77)
        #expect(x.userAgent == "curl/8.5.0")
        #expect(x.time == us(971_211_336))
        #expect(x.host == nil)
    }

    @Test func commonLineAndDashBytes() throws {
        let x = try #require(parseLine(#"::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 304 -"#).value)
        #expect(x.client == "::1")
        #expect(x.bytes == nil)
        #expect(x.userAgent == nil)
        #expect(x.status == 304)
    }

    @Test func vhostPrefixBecomesHost() throws {
        let x = try #require(parseLine(#"www.example.com:443 192.168.1.1 - - [08/Jun/2020:08:04:43 +0000] "GET /a HTTP/1.1" 200 1 "-" "ua""#).value)
        #expect(x.host == "www.example.com:443")
        #expect(x.client == "192.168.1.1")
    }

    @Test func trailingFieldsGiveLatencyAndRequestID() throws {
        let a = try #require(parseLine(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "POST /x HTTP/1.1" 201 5 "-" "ua" rt=0.123 id=abc-1"#).value)
        #expect(a.latencyMs == 123)
        #expect(a.requestID == "abc-1")
        let b = try #require(parseLine(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 5 rt=0.004"#).value)
        #expect(b.latencyMs == 4)
        let traefik = try #require(parseLine(#"172.17.0.1 - - [08/Dec/2021:09:16:05 +0000] "GET /a HTTP/1.1" 200 414 "-" "-" 500 "test@docker" "http://172.17.0.3:80" 42ms"#).value)
        #expect(traefik.latencyMs == 42)
        #expect(traefik.userAgent == nil)
    }

    @Test func escapedQuotesStayInsideTheField() throws {
        let x = try #require(parseLine(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /q?config[\\\"sip\\\"]=1 HTTP/1.1" 404 5 "-" "say \"hi\"""#).value)
        #expect(x.path == "/q")
        #expect(x.userAgent == #"say \"hi\""#)
    }

    @Test func garbageRequestLineIsKeptButHasNoMethod() throws {
        let x = try #require(parseLine(#"1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "\x16\x03\x01\x00t\x01" 400 157 "-" "-""#).value)
        #expect(x.method == "")
        #expect(x.path == #"\x16\x03\x01\x00t\x01"#)
        #expect(x.route == "{invalid}")
        let dash = try #require(parseLine(#"1.2.3.4 - - [29/Jul/2023:10:26:06 -0700] "-" 400 0 "-" "-""#).value)
        #expect(dash.method == "")
        #expect(dash.route == "{invalid}")
    }

    @Test(arguments: [
        #"145.ll|'|'|SGFj|'|'|Win 7 Professional SP1 x64|'|'|No"#,
        "GET /a b HTTP/1.1",
        "GET /a HTTP/1.1 extra",
        "GET /a FTP/1.0",
        "GET  /a HTTP/1.1",
    ])
    func requestLinesWithExtraTokensAreNotRequests(request: String) throws {
        let x = try #require(parseLine("1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"\(request)\" 400 5").value)
        #expect(x.method == "")
        #expect(x.path == request)
        #expect(x.route == "{invalid}")
    }

    @Test func http09AndUnknownMethods() throws {
        let a = try #require(parseLine(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /old" 200 5"#).value)
        #expect(a.method == "GET")
        #expect(a.path == "/old")
        let b = try #require(parseLine(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "PROPFIND /dav/x HTTP/1.1" 207 5"#).value)
        #expect(b.method == "PROPFIND")
    }

    @Test(arguments: [
        (#"192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET /a HTTP/1.0" 404 46210 "-" "gPXE/0.9.7""#, MalformedReason.notAccessLog),
        (#"192.168.1.1 - [08/Jun/2020:08:04:43 +0000] "GET /api/test HTTP/1.1" 200 100 "-" "curl/7.68.0""#, .notAccessLog),
        (#"10.0.0.2, 10.0.0.1, 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET /ocelot HTTP/1.1" 200 571 "-" "x""#, .notAccessLog),
        (#"172.17.1.1 - - [28/Sep/2022:13:38:04 +0000] "GET /a HTTP/1.1" - - "-" "Nikto""#, .badStatus),
        (#"46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /x HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"#, .unterminatedQuote),
        (#"1.2.3.4 - - [25/Apr/2021:06:15:33 +0000] "GET /a?t=<script>alert("text")</script> HTTP/1.0" 404 1164"#, .badStatus),
        (#"127.0.0.1 - - [19/Feb/2015:15:50:36 -0500] "GET /big.pdf HTTP/1.1" 206 33973115 0.202 "-" "Mozilla""#, .notAccessLog),
        ("xxxxxxxxxxxx", .notAccessLog),
        (#"2021/09/30 09:23:53 [error] 1925800#1925800: *17 user "foo" was not found"#, .notAccessLog),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12x"#, .badBytes),
        (#"1.2.3.4 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.1" 200 12"#, .badTime),
    ])
    func rejectsWhatTheReferenceRejects(line: String, reason: MalformedReason) {
        #expect(parseLine(line, format: .combined).failureReason == reason)
    }

    @Test func invalidUTF8IsKeptAsBytes() throws {
        var bytes = Array(#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /caf"#.utf8) + [0xE9, 0xFF]
            + Array(#" HTTP/1.1" 200 5 "-" "a"#.utf8) + [0xC3] + Array(#"""#.utf8)
        var parser = LogParser(format: .combined)
        let x = try #require(parseBytes(&bytes, with: &parser).value)
        #expect(x.path.utf8.count > 4)
        #expect(x.status == 200)
    }

    @Test func everyPrefixOfAValidLineIsHandled() {
        // Truncated lines (a writer cut mid-line) must be rejected cleanly, never crash.
        let line = Array(#"example.com 2001:db8::1 - bob [10/Oct/2000:13:55:36 -0700] "PATCH /api/items/5f2b9c1d8e4a7b3c2d1e0f9a HTTP/1.1" 412 0 "-" "ua \"x\"" rt=0.001"#.utf8)
        var parser = LogParser(format: .auto)
        var accepted = 0
        for n in 0...line.count {
            var prefix = Array(line[0..<n])
            if case .success = parseBytes(&prefix, with: &parser) { accepted += 1 }
        }
        // The complete line, and the prefixes that end right after the user agent or inside
        // the trailing fields, are complete combined lines; nothing shorter may pass.
        #expect(accepted >= 1)
        var full = line
        #expect(parseBytes(&full, with: &parser).value?.route == "/api/items/{hex}")
        var cut = Array(line[0..<(line.count - 40)])
        #expect(parseBytes(&cut, with: &parser).value == nil)
    }
}
