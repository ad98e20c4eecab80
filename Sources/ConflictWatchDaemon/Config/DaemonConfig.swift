import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchFleet
import ConflictWatchServer
import ConflictWatchStore
import Foundation
import Yams

/// The `run --config FILE` file (YAML). Parsed by walking the YAML nodes rather than decoding,
/// so every error names the key and the line it is on, and an unknown key (a typo) is an error
/// rather than a setting silently ignored.
public struct DaemonConfig: Sendable, Equatable {
    public struct Source: Sendable, Equatable {
        public var path: String
        public var format: String
    }

    public var sources: [Source] = []
    /// Network interfaces captured live (sources with `interface:` instead of `path:`).
    public var interfaces: [LiveCaptureSettings] = []
    public var stateDirectory: String? = nil
    public var model: String? = nil
    /// An OpenAPI document whose paths are route templates (after the model file's).
    public var openapi: String? = nil
    public var retentionDays = 30
    public var logLevel = "info"
    public var fromStart = false
    public var maxLineLength = LineLimits.defaultMaxLineLength
    /// The query API's address (host:port); nil serves no API.
    public var listen: String? = nil
    /// Bearer token the API requires (also from CONFLICTWATCH_API_TOKEN); needed off loopback.
    public var apiToken: String? = nil
    /// The API's timeouts and connection cap (`api_idle_timeout_seconds`,
    /// `api_request_timeout_seconds`, `api_max_connections`).
    public var apiLimits = ServerLimits()
    public var webhooks: [WebhookTarget] = []
    /// The fleet's PostgreSQL (`database_url`) and this agent's name (`agent`), SPEC §7.
    public var databaseURL: String? = nil
    public var agent: String? = nil
    public var agentTimeoutSeconds: Int? = nil

    public init() {}

    /// A config error: the key, its line, and what to write instead.
    public struct ConfigError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ file: String, _ key: String, _ line: Int?, _ message: String) {
            description = "\(file)\(line.map { ":\($0)" } ?? ""): \(key): \(message)"
        }
    }

    static let topKeys: Set = ["sources", "state_dir", "model", "openapi", "retention_days", "log_level", "from_start", "max_line_length", "listen", "api_token", "webhooks",
                                  "api_idle_timeout_seconds", "api_request_timeout_seconds", "api_max_connections",
                                  "database_url", "agent", "agent_timeout_seconds"]
    static let webhookKeys: Set = ["url", "min_severity"]
    static let sourceKeys: Set = ["path", "format"]
    static let interfaceKeys: Set = ["interface", "filter", "snaplen", "buffer_mb", "promisc"]
    static let levels: Set = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static let retentionDaysRange = 1...3650

    /// A scalar as written in the file, for messages (control characters made visible).
    static func shown(_ node: Node) -> String {
        TerminalText.escape(String((node.scalar?.string ?? "a \(node.mapping != nil ? "mapping" : "list")").prefix(60)))
    }

    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(path, "file", nil, "cannot read it (\(error.localizedDescription)); `conflictwatch config example > \(path)` writes a starting point")
        }
        return try parse(text, file: path)
    }

    /// `- interface: eth0` with optional `filter:` (BPF, checked now), `snaplen:`, `buffer_mb:`,
    /// `promisc:`.
    static func interface(_ m: Node.Mapping, at key: String, file: String) throws(ConfigError) -> LiveCaptureSettings {
        var out = LiveCaptureSettings(interface: "")
        for (k, v) in m {
            let name = k.string ?? "?"
            let line = k.mark?.line
            func fail(_ message: String) -> ConfigError { ConfigError(file, "\(key).\(name)", line, message) }
            switch name {
            case "interface":
                guard let s = v.string, !s.isEmpty else { throw fail("expected an interface name such as eth0, lo or any") }
                out.interface = s
            case "filter":
                guard let s = v.string else { throw fail("expected a BPF filter in tcpdump syntax, such as 'tcp port 80'") }
                do { try PcapHandle.checkFilter(s) } catch { throw fail(error.description) }
                out.filter = s
            case "snaplen":
                let range = LiveCaptureSettings.snapLengthRange
                guard let n = v.int, range.contains(n) else { throw fail("expected bytes in \(range.lowerBound)…\(range.upperBound), got \(shown(v))") }
                out.snapLength = Int32(n)
            case "buffer_mb":
                let range = LiveCaptureSettings.bufferMBRange
                guard let n = v.int, range.contains(n) else { throw fail("expected MiB in \(range.lowerBound)…\(range.upperBound), got \(shown(v))") }
                out.bufferMB = n
            case "promisc":
                guard let b = v.bool else { throw fail("expected true or false") }
                out.promiscuous = b
            default:
                throw fail("unknown key; an interface source takes \(interfaceKeys.sorted().joined(separator: ", "))")
            }
        }
        return out
    }

    /// A webhook is a URL, or a mapping with `url:` and `min_severity:`.
    static func webhook(_ node: Node, at key: String, file: String) throws(ConfigError) -> WebhookTarget {
        func url(_ n: Node, _ key: String) throws(ConfigError) -> String {
            guard let s = n.string, s.hasPrefix("http://") || s.hasPrefix("https://") else {
                throw ConfigError(file, key, n.mark?.line, "expected an http:// or https:// URL")
            }
            return s
        }
        guard let m = node.mapping else { return WebhookTarget(url: try url(node, key)) }
        var target: WebhookTarget?
        var severity = Alert.Severity.low
        for (k, v) in m {
            let name = k.string ?? "?"
            switch name {
            case "url": target = WebhookTarget(url: try url(v, "\(key).url"))
            case "min_severity":
                guard let s = v.string, let level = Alert.Severity(rawValue: s) else {
                    throw ConfigError(file, "\(key).min_severity", k.mark?.line, "expected low, medium, high or critical")
                }
                severity = level
            default:
                throw ConfigError(file, "\(key).\(name)", k.mark?.line, "unknown key; a webhook takes \(webhookKeys.sorted().joined(separator: ", "))")
            }
        }
        guard var target else { throw ConfigError(file, "\(key).url", node.mark?.line, "missing; where should alerts be POSTed?") }
        target.minSeverity = severity
        return target
    }

    /// One of the API limits: a whole number in the setting's range.
    static func limit(_ node: Node, _ setting: ServerLimits.Setting, _ fail: (String) -> ConfigError) throws(ConfigError) -> Int {
        guard let n = node.int, setting.check(n) == nil else { throw fail("\(setting.expectation), got \(shown(node))") }
        return n
    }

    public static func parse(_ text: String, file: String = "config") throws(ConfigError) -> DaemonConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(file, "yaml", nil, "not valid YAML: \(error)")
        }
        guard let root, let map = root.mapping else {
            throw ConfigError(file, "top level", root?.mark?.line, "expected a mapping of settings such as `sources:`; see `conflictwatch config example`")
        }
        var c = DaemonConfig()
        for (keyNode, value) in map {
            let key = keyNode.string ?? "?"
            let line = keyNode.mark?.line
            func fail(_ message: String) -> ConfigError { ConfigError(file, key, line, message) }
            switch key {
            case "sources":
                guard let seq = value.sequence, !seq.isEmpty else { throw fail("expected a list of sources, each with `path:` (and `format:`)") }
                for (i, item) in seq.enumerated() {
                    let where_ = "sources[\(i)]"
                    guard let m = item.mapping else { throw ConfigError(file, where_, item.mark?.line, "expected `path:` and `format:`") }
                    if m.keys.contains(where: { $0.string == "interface" }) {
                        c.interfaces.append(try interface(m, at: where_, file: file))
                        continue
                    }
                    var path: String?
                    var format = "auto"
                    for (k, v) in m {
                        let name = k.string ?? "?"
                        let kLine = k.mark?.line
                        switch name {
                        case "path":
                            guard let s = v.string, !s.isEmpty, s.hasPrefix("/") else {
                                throw ConfigError(file, "\(where_).path", kLine, "expected an absolute path or glob, such as /var/log/nginx/access.log")
                            }
                            path = s
                        case "format":
                            guard let s = v.string else { throw ConfigError(file, "\(where_).format", kLine, "expected a format name") }
                            do { _ = try LogFormat(argument: s) } catch {
                                throw ConfigError(file, "\(where_).format", kLine, "\(error.description)")
                            }
                            format = s
                        default:
                            throw ConfigError(file, "\(where_).\(name)", kLine, "unknown key; a source takes \(sourceKeys.sorted().joined(separator: ", "))")
                        }
                    }
                    guard let path else { throw ConfigError(file, "\(where_).path", item.mark?.line, "missing; every source needs the file or glob to follow") }
                    c.sources.append(Source(path: path, format: format))
                }
            case "state_dir":
                guard let s = value.string, s.hasPrefix("/") else { throw fail("expected an absolute directory, such as /var/lib/conflictwatch") }
                c.stateDirectory = s
            case "database_url":
                guard let s = value.string, !s.isEmpty else { throw fail("expected a PostgreSQL URL such as postgres://conflictwatch@db.internal:5432/conflictwatch") }
                do {
                    _ = try FleetDatabaseURL(s)
                } catch {
                    throw fail(error.description)
                }
                c.databaseURL = s
            case "agent_timeout_seconds":
                guard let n = value.int, FleetSettings.agentTimeoutRange.contains(n) else {
                    throw fail("expected whole seconds in 1…3600 (default 30), got \(Self.shown(value))")
                }
                c.agentTimeoutSeconds = n
            case "agent":
                guard let s = value.string, FleetSettings.validAgentName(s) else {
                    throw fail("expected this agent's name: 1 to 64 printable characters without spaces or '/' (default: the host name)")
                }
                c.agent = s
            case "model":
                guard let s = value.string, !s.isEmpty else { throw fail("expected the path of a model JSON file") }
                c.model = s
            case "openapi":
                guard let s = value.string, !s.isEmpty else { throw fail("expected the path of an OpenAPI 3 or Swagger 2 document (JSON or YAML)") }
                c.openapi = s
            case "retention_days":
                // Ten years: past that the rollups outgrow any disk the daemon is likely to have.
                guard let n = value.int, Self.retentionDaysRange.contains(n) else {
                    throw fail("expected whole days in \(Self.retentionDaysRange.lowerBound)…\(Self.retentionDaysRange.upperBound) (default 30), got \(Self.shown(value))")
                }
                c.retentionDays = n
            case "log_level":
                guard let s = value.string, levels.contains(s) else { throw fail("expected one of \(levels.sorted().joined(separator: ", "))") }
                c.logLevel = s
            case "from_start":
                guard let b = value.bool else { throw fail("expected true or false") }
                c.fromStart = b
            case "max_line_length":
                guard let n = value.int, LineLimits.maxLineLengthRange.contains(n) else {
                    throw fail("expected bytes in \(LineLimits.maxLineLengthRange.lowerBound)…\(LineLimits.maxLineLengthRange.upperBound) (default \(LineLimits.defaultMaxLineLength)), got \(Self.shown(value))")
                }
                c.maxLineLength = n
            case "listen":
                guard let s = value.string, s.contains(":") else { throw fail("expected host:port, such as 127.0.0.1:9409") }
                c.listen = s
            case "api_token":
                guard let s = value.string, s.count >= 16 else { throw fail("expected a token of at least 16 characters (e.g. `openssl rand -hex 24`)") }
                c.apiToken = s
            case ServerLimits.idleTimeoutSetting.configKey:
                c.apiLimits.idleTimeout = .seconds(try limit(value, ServerLimits.idleTimeoutSetting, fail))
            case ServerLimits.requestTimeoutSetting.configKey:
                c.apiLimits.requestTimeout = .seconds(try limit(value, ServerLimits.requestTimeoutSetting, fail))
            case ServerLimits.maxConnectionsSetting.configKey:
                c.apiLimits.maxConnections = try limit(value, ServerLimits.maxConnectionsSetting, fail)
            case "webhooks":
                guard let seq = value.sequence else { throw fail("expected a list of URLs, or of `url:` with `min_severity:`") }
                c.webhooks = try seq.enumerated().map { (i: Int, n: Node) throws(ConfigError) -> WebhookTarget in
                    try webhook(n, at: "webhooks[\(i)]", file: file)
                }
            default:
                throw fail("unknown key; the settings are \(topKeys.sorted().joined(separator: ", "))")
            }
        }
        guard !c.sources.isEmpty || !c.interfaces.isEmpty else {
            throw ConfigError(file, "sources", nil, "missing; list at least one log file to follow (or an interface to capture)")
        }
        return c
    }
}
