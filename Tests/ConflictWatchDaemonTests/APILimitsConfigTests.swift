import ConflictWatchServer
import Testing
@testable import ConflictWatchDaemon

/// The API limits in the config file (SPEC §9): flat keys next to `listen:`, checked against
/// their ranges with the key and the range in the message.
@Suite struct APILimitsConfigTests {
    @Test func theKeysSetTheLimits() throws {
        let c = try DaemonConfig.parse("""
            sources:
              - path: /var/log/a.log
            listen: 127.0.0.1:9409
            api_idle_timeout_seconds: 30
            api_request_timeout_seconds: 5
            api_max_connections: 100
            """)
        #expect(c.apiLimits == ServerLimits(idleTimeout: .seconds(30), requestTimeout: .seconds(5), maxConnections: 100))
        #expect(try DaemonConfig.parse("sources:\n  - path: /a.log\n").apiLimits == ServerLimits())
    }

    @Test func theExampleShowsTheDefaults() throws {
        #expect(ConfigExample.text.contains("api_idle_timeout_seconds: 60"))
        #expect(ConfigExample.text.contains("api_request_timeout_seconds: 10"))
        #expect(ConfigExample.text.contains("api_max_connections: 256"))
        #expect(try DaemonConfig.parse(ConfigExample.text).apiLimits == ServerLimits())
    }

    @Test(arguments: [
        ("api_idle_timeout_seconds: 0", "f:3: api_idle_timeout_seconds: expected whole seconds in 1…3600 (default 60), got 0"),
        ("api_request_timeout_seconds: 601", "f:3: api_request_timeout_seconds: expected whole seconds in 1…600 (default 10), got 601"),
        ("api_max_connections: 0", "f:3: api_max_connections: expected a number of connections in 1…65536 (default 256), got 0"),
        ("api_max_connections: lots", "f:3: api_max_connections: expected a number of connections in 1…65536 (default 256), got lots"),
        ("api_idle_timeout_seconds: 1.5", "f:3: api_idle_timeout_seconds: expected whole seconds in 1…3600 (default 60), got 1.5"),
    ])
    func outOfRangeValuesNameTheKeyAndRange(line: String, message: String) {
        do {
            _ = try DaemonConfig.parse("sources:\n  - path: /a.log\n\(line)\n", file: "f")
            Issue.record("accepted \(line)")
        } catch {
            #expect(error.description == message)
        }
    }
}
