/// The `--log-format` choice (SPEC §2).
public enum LogFormat: Sendable, Equatable, CustomStringConvertible {
    /// Decides per line: JSON objects, combined/common (with vhost or trailing fields), Envoy's
    /// text format, each also behind a CRI or docker-compose prefix.
    case auto
    /// nginx/Apache combined; also takes common lines and lines with trailing fields.
    case combined
    case common
    case json
    /// A verbatim nginx `log_format` string.
    case nginx(NginxLogFormat)

    /// Parses the flag's value; anything containing `$` is taken as an nginx `log_format`.
    public init(argument: String) throws(NginxLogFormat.CompileError) {
        switch argument.lowercased() {
        case "auto": self = .auto
        case "combined", "clf", "nginx", "apache": self = .combined
        case "common": self = .common
        case "json", "jsonl", "caddy", "envoy", "traefik": self = .json
        default:
            guard argument.contains("$") else {
                throw NginxLogFormat.CompileError(description:
                    "unknown log format '\(argument)': use combined, common, json, auto, or an nginx log_format string such as '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent'")
            }
            self = .nginx(try NginxLogFormat(argument))
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .combined: "combined"
        case .common: "common"
        case .json: "json"
        case .nginx(let f): f.source
        }
    }
}
