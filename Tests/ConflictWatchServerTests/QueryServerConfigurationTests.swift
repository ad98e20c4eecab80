import ConflictWatchCore
import ConflictWatchServer
import Testing

/// SPEC §9: a listen address off loopback needs a token, else the daemon refuses to start.
@Suite struct QueryServerConfigurationTests {
    @Test(arguments: [
        ("127.0.0.1:9409", "127.0.0.1", 9409),
        ("127.0.0.2:80", "127.0.0.2", 80),
        ("localhost:1234", "localhost", 1234),
        ("[::1]:9409", "::1", 9409),
        ("[::1]", "::1", 9409),
        ("localhost", "localhost", 9409),
        ("9500", "127.0.0.1", 9500),
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("[::ffff:127.0.0.1]:9409", "::ffff:127.0.0.1", 9409),
    ])
    func loopbackAddressesNeedNoToken(text: String, host: String, port: Int) throws {
        let c = try QueryServerConfiguration.parse(listen: text)
        #expect(c.host == host && c.port == port)
        #expect(c.isLoopback)
        #expect(!c.requiresToken)
    }

    @Test(arguments: ["0.0.0.0:9409", "[::]:9409", "10.1.2.3:9409", "example.com:9409", "128.0.0.1:1", "127.0.0.1.example.com:9409"])
    func otherAddressesAreRefusedWithoutAToken(text: String) throws {
        #expect(throws: QueryServerConfiguration.Invalid.self) { try QueryServerConfiguration.parse(listen: text) }
        do {
            _ = try QueryServerConfiguration.parse(listen: text)
        } catch {
            #expect(error.description.hasPrefix("not a loopback address"))
            #expect(error.description.contains("--api-token"))
            #expect(error.description.contains("CONFLICTWATCH_API_TOKEN"))
        }
        let withToken = try QueryServerConfiguration.parse(listen: text, apiToken: "abc")
        #expect(withToken.requiresToken && withToken.apiToken == "abc")
    }

    @Test(arguments: ["", ":9409", "::1:9409", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:http", "[::1", "[::1]9409", "127.0.0.1:-1"])
    func malformedAddressesSayWhatIsExpected(text: String) {
        #expect(throws: QueryServerConfiguration.Invalid.self, "\(text)") { try QueryServerConfiguration.parse(listen: text) }
        do {
            _ = try QueryServerConfiguration.parse(listen: text, apiToken: "t")
        } catch {
            #expect(error.description.contains("host:port") || error.description.contains("[::1]:9409"), "\(error)")
        }
    }

    @Test func tokensMustBeUsableInAHeader() {
        for bad in ["", "two words", "tab\there", "é"] {
            #expect(throws: QueryServerConfiguration.Invalid.self, "\(bad)") {
                try QueryServerConfiguration(host: "0.0.0.0", port: 9409, apiToken: bad)
            }
        }
    }

    @Test func defaultsAndAddress() throws {
        let c = try QueryServerConfiguration()
        #expect(c.address == "127.0.0.1:9409")
        #expect(try QueryServerConfiguration.parse(listen: "[::1]:8080").address == "[::1]:8080")
    }
}
