import ConflictWatchCore
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
    public var stateDirectory: String? = nil
    public var model: String? = nil
    public var retentionDays = 30
    public var logLevel = "info"
    public var fromStart = false
    public var maxLineLength = 65_536
    /// Accepted and kept for the query API and webhooks, which are not built yet.
    public var listen: String? = nil
    public var webhooks: [String] = []

    public init() {}

    /// A config error: the key, its line, and what to write instead.
    public struct ConfigError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ file: String, _ key: String, _ line: Int?, _ message: String) {
            description = "\(file)\(line.map { ":\($0)" } ?? ""): \(key): \(message)"
        }
    }

    static let topKeys: Set = ["sources", "state_dir", "model", "retention_days", "log_level", "from_start", "max_line_length", "listen", "webhooks"]
    static let sourceKeys: Set = ["path", "format"]
    static let levels: Set = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public static func load(path: String) throws(ConfigError) -> DaemonConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(path, "file", nil, "cannot read it (\(error.localizedDescription)); `conflictwatch config example > \(path)` writes a starting point")
        }
        return try parse(text, file: path)
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
            case "model":
                guard let s = value.string, !s.isEmpty else { throw fail("expected the path of a model JSON file") }
                c.model = s
            case "retention_days":
                guard let n = value.int, n >= 1 else { throw fail("expected a whole number of days, at least 1 (default 30)") }
                c.retentionDays = n
            case "log_level":
                guard let s = value.string, levels.contains(s) else { throw fail("expected one of \(levels.sorted().joined(separator: ", "))") }
                c.logLevel = s
            case "from_start":
                guard let b = value.bool else { throw fail("expected true or false") }
                c.fromStart = b
            case "max_line_length":
                guard let n = value.int, n >= 256, n <= 16 << 20 else { throw fail("expected bytes between 256 and 16777216 (default 65536)") }
                c.maxLineLength = n
            case "listen":
                guard let s = value.string, s.contains(":") else { throw fail("expected host:port, such as 127.0.0.1:9409") }
                c.listen = s
            case "webhooks":
                guard let seq = value.sequence else { throw fail("expected a list of URLs") }
                c.webhooks = try seq.map { (n: Node) throws(ConfigError) -> String in
                    guard let s = n.string, s.hasPrefix("http://") || s.hasPrefix("https://") else {
                        throw ConfigError(file, "webhooks", n.mark?.line, "expected an http:// or https:// URL")
                    }
                    return s
                }
            default:
                throw fail("unknown key; the settings are \(topKeys.sorted().joined(separator: ", "))")
            }
        }
        guard !c.sources.isEmpty else {
            throw ConfigError(file, "sources", nil, "missing; list at least one log file to follow")
        }
        return c
    }
}
