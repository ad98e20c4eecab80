import Testing
@testable import ConflictWatchCore

@Suite struct NginxFormatParserTests {
    @Test func nginxProxyManagerFormat() throws {
        let fmt = try LogFormat(argument: #"[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] [Sent-to $server] "$http_user_agent" "$http_referer""#)
        let x = try #require(parseLine(#"[24/Jan/2022:16:51:02 +0000] - 409 409 - PUT http openresty.local "/api/orders/5?a=b" [Client 1.2.3.4] [Length 192] [Gzip 3.10] [Sent-to openresty] "Mozilla/5.0 (X11)" "-""#, format: fmt).value)
        #expect(x.method == "PUT")
        #expect(x.path == "/api/orders/5")
        #expect(x.query == "a=b")
        #expect(x.client == "1.2.3.4")
        #expect(x.status == 409)
        #expect(x.bytes == 192)
        #expect(x.host == "openresty.local")
        #expect(x.userAgent == "Mozilla/5.0 (X11)")
        #expect(x.time == us(1_643_043_062))
    }

    @Test func customWithTimingAndRequestID() throws {
        let fmt = try LogFormat(argument: #"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time id=$request_id"#)
        let x = try #require(parseLine(#"127.0.0.2 - - [10/Oct/2000:13:55:36 -0700] "POST /api/orders HTTP/1.1" 201 2 "-" "curl \"q\"" rt=0.250 id=4f1c"#, format: fmt).value)
        #expect(x.latencyMs == 250)
        #expect(x.requestID == "4f1c")
        #expect(x.userAgent == #"curl \"q\""#)
        #expect(parseLine(#"127.0.0.2 - - [10/Oct/2000:13:55:36 -0700] "POST /a HTTP/1.1" 201 2 "-" "c" rt=0.250"#, format: fmt).failureReason == .formatMismatch)
    }

    @Test func bunkerwebFormatWithFieldsBeforeTheTime() throws {
        let fmt = try LogFormat(argument: #"$host $remote_addr - $request_id - [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#)
        let x = try #require(parseLine(#"www.example.com 172.18.0.1 - 7bde940ef0f870cdee1f6d53fe0ff157 - [22/Oct/2025:14:31:07 +0000] "GET / HTTP/1.1" 301 162 "-" "Mozilla""#, format: fmt).value)
        #expect(x.host == "www.example.com")
        #expect(x.client == "172.18.0.1")
        #expect(x.requestID == "7bde940ef0f870cdee1f6d53fe0ff157")
    }

    @Test func compileErrorsSayWhatToDo() {
        #expect(throws: NginxLogFormat.CompileError.self) { try NginxLogFormat(#"$remote_addr "$request" $status"#) }
        #expect(throws: NginxLogFormat.CompileError.self) { try NginxLogFormat(#"[$time_local] $status"#) }
        #expect(throws: NginxLogFormat.CompileError.self) { try NginxLogFormat(#"[$time_local] "$request" $status$body_bytes_sent"#) }
        #expect(throws: NginxLogFormat.CompileError.self) { try LogFormat(argument: "apache-fancy") }
        do {
            _ = try NginxLogFormat("[$time_local] $request_method")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("$status"))
        }
    }

    @Test func combinedStringMatchesBuiltInCombined() throws {
        let fmt = try LogFormat(argument: NginxLogFormat.combinedSource)
        let line = #"203.0.113.7 - alice [10/Oct/2000:13:55:36 -0700] "PUT /api/orders/42 HTTP/1.1" 409 77 "https://ex.com/" "curl/8.5.0""#
        let a = try #require(parseLine(line, format: fmt).value)
        let b = try #require(parseLine(line, format: .combined).value)
        #expect(a == b)
    }
}
