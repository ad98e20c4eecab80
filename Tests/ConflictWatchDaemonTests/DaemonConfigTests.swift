import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchStore
import Testing
@testable import ConflictWatchDaemon

@Suite struct DaemonConfigTests {
    @Test func theExampleParses() throws {
        let c = try DaemonConfig.parse(ConfigExample.text)
        #expect(c.sources == [.init(path: "/var/log/nginx/access.log", format: "combined")])
        #expect(c.stateDirectory == "/var/lib/conflictwatch")
        #expect(c.retentionDays == 30)
        #expect(c.logLevel == "info")
        // The installed service has /metrics and the dashboard, on loopback (no token needed).
        #expect(c.listen == "127.0.0.1:9409")
    }

    @Test func everySetting() throws {
        let c = try DaemonConfig.parse("""
            sources:
              - path: "/var/log/a/*.log"
                format: json
              - path: /var/log/b.log
            state_dir: /srv/cw
            model: /etc/cw/model.json
            openapi: /etc/cw/openapi.yaml
            retention_days: 7
            log_level: debug
            from_start: true
            max_line_length: 4096
            listen: 127.0.0.1:9409
            api_token: 0123456789abcdef0123
            webhooks:
              - https://hooks.example/x
              - url: http://127.0.0.1:8080/alerts
                min_severity: high
            """)
        #expect(c.sources.map(\.path) == ["/var/log/a/*.log", "/var/log/b.log"])
        #expect(c.sources.map(\.format) == ["json", "auto"])
        #expect(c.stateDirectory == "/srv/cw" && c.model == "/etc/cw/model.json" && c.openapi == "/etc/cw/openapi.yaml")
        #expect(c.retentionDays == 7 && c.logLevel == "debug" && c.fromStart && c.maxLineLength == 4096)
        #expect(c.listen == "127.0.0.1:9409" && c.apiToken == "0123456789abcdef0123")
        #expect(c.webhooks == [.init(url: "https://hooks.example/x"), .init(url: "http://127.0.0.1:8080/alerts", minSeverity: .high)])
    }

    @Test func fleetSettings() throws {
        let c = try DaemonConfig.parse("""
            sources:
              - path: /var/log/nginx/access.log
            database_url: postgres://cw:pw@db.internal:5433/fleet
            agent: web-03
            agent_timeout_seconds: 45
            """)
        #expect(c.databaseURL == "postgres://cw:pw@db.internal:5433/fleet")
        #expect(c.agent == "web-03" && c.agentTimeoutSeconds == 45)
        // Without the key nothing is shipped: the embedded store stays the default (SPEC §7).
        let plain = try DaemonConfig.parse("sources:\n  - path: /a.log\n")
        #expect(plain.databaseURL == nil && plain.agent == nil && plain.agentTimeoutSeconds == nil)
    }

    @Test func interfaceSources() throws {
        let c = try DaemonConfig.parse("""
            sources:
              - interface: lo
                filter: tcp port 8080
                snaplen: 65535
                buffer_mb: 16
                promisc: true
              - interface: eth0
            """)
        #expect(c.sources.isEmpty)
        var lo = LiveCaptureSettings(interface: "lo")
        lo.filter = "tcp port 8080"
        lo.snapLength = 65535
        lo.bufferBytes = 16 << 20
        lo.promiscuous = true
        #expect(c.interfaces == [lo, LiveCaptureSettings(interface: "eth0")])
    }

    /// Each bad file's message names the key and the line it is on.
    @Test(arguments: [
        ("sources:\n  - path: /a.log\nretention_dayz: 3\n", "config:3: retention_dayz: unknown key"),
        ("sources:\n  - path: /a.log\n    format: xml\n", "config:3: sources[0].format"),
        ("sources:\n  - path: relative.log\n", "config:2: sources[0].path: expected an absolute path"),
        ("sources:\n  - format: json\n", "sources[0].path: missing"),
        ("state_dir: /x\n", "sources: missing"),
        ("sources:\n  - path: /a.log\nlog_level: loud\n", "config:3: log_level: expected one of"),
        ("sources: [\n", "yaml: not valid YAML"),
        ("sources:\n  - path: /a.log\nwebhooks:\n  - ftp://x\n", "config:4: webhooks[0]: expected an http:// or https:// URL"),
        ("sources:\n  - path: /a.log\nwebhooks:\n  - url: http://x\n    min_severity: urgent\n", "config:5: webhooks[0].min_severity: expected low"),
        ("sources:\n  - path: /a.log\nwebhooks:\n  - min_severity: high\n", "webhooks[0].url: missing"),
        ("sources:\n  - path: /a.log\napi_token: short\n", "config:3: api_token: expected a token of at least 16"),
        ("sources:\n  - interface: lo\n    filter: tcp port banana\n", "config:3: sources[0].filter:"),
        ("sources:\n  - interface: lo\n    path: /a.log\n", "config:3: sources[0].path: unknown key; an interface source takes"),
        ("sources:\n  - interface: lo\n    snaplen: 10\n", "config:3: sources[0].snaplen: expected bytes"),
        ("sources:\n  - path: /a.log\ndatabase_url: mysql://u@h/db\n", "config:3: database_url: database URL scheme 'mysql': only postgres://"),
        ("sources:\n  - path: /a.log\ndatabase_url: postgres://u:secret@h:0/db\n", "config:3: database_url: database URL postgres://u:***@h:0/db: the port"),
        ("sources:\n  - path: /a.log\nagent: web 3\n", "config:3: agent: expected this agent's name"),
        ("sources:\n  - path: /a.log\nagent_timeout_seconds: 0\n", "config:3: agent_timeout_seconds: expected whole seconds in 1…3600"),
        ("sources:\n  - path: /a.log\nagent_timeout_seconds: 86400\n", "config:3: agent_timeout_seconds: expected whole seconds in 1…3600"),
    ])
    func errorsNameKeyAndLine(text: String, expected: String) {
        do {
            _ = try DaemonConfig.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }
}
