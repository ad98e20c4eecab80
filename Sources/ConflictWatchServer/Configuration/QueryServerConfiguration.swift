import ConflictWatchCore

/// Where the query API listens and the token it demands (SPEC §9). Every value is valid by
/// construction: an address off the loopback interface without a token cannot be built, so a
/// daemon cannot start serving the store to the network by accident.
public struct QueryServerConfiguration: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 9409
    /// The environment variable the CLI and the daemon read the token from.
    public static let tokenEnvironmentVariable = "CONFLICTWATCH_API_TOKEN"

    /// Why a listen address or token cannot be used; the daemon exits 2 with this message. The
    /// messages leave the address out: callers print it first (`--listen X: …`, `FILE: listen: …`).
    public struct Invalid: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public let host: String
    /// 0 binds any free port (tests).
    public let port: Int
    public let apiToken: String?
    /// Timeouts and the connection cap; the daemon may lower the cap to fit its open-file limit.
    public var limits: ServerLimits

    public init(host: String = defaultHost, port: Int = defaultPort, apiToken: String? = nil,
                limits: ServerLimits = ServerLimits()) throws(Invalid) {
        guard !host.isEmpty else { throw Invalid("no host; expected host:port such as \(Self.defaultHost):\(Self.defaultPort)") }
        guard (0...65_535).contains(port) else { throw Invalid("port \(port) is not 0-65535") }
        if let apiToken {
            guard !apiToken.isEmpty, apiToken.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw Invalid("the API token must be non-empty printable ASCII without spaces (it travels in an Authorization header)")
            }
        }
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.limits = limits
        if apiToken == nil && !isLoopback {
            throw Invalid("""
                not a loopback address, so anyone who can reach it could read the alerts: give an API token \
                (--api-token or \(Self.tokenEnvironmentVariable)) that requests must send as a bearer token, or listen \
                on \(Self.defaultHost):\(port)
                """)
        }
    }

    /// Parses `host:port`, `[v6]:port`, a bare host (default port) or a bare port (default host).
    public static func parse(listen text: String, apiToken: String? = nil, limits: ServerLimits = ServerLimits()) throws(Invalid) -> QueryServerConfiguration {
        let (host, port) = try splitHostPort(text)
        return try QueryServerConfiguration(host: host, port: port, apiToken: apiToken, limits: limits)
    }

    static func splitHostPort(_ text: String) throws(Invalid) -> (String, Int) {
        let usage = "expected host:port such as \(defaultHost):\(defaultPort) or [::1]:\(defaultPort)"
        func port(_ s: Substring) throws(Invalid) -> Int {
            guard !s.isEmpty, s.allSatisfy(\.isASCII), let p = Int(s), (0...65_535).contains(p) else {
                throw Invalid("port \(s.isEmpty ? "missing" : String(s)) is not 0-65535; \(usage)")
            }
            return p
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw Invalid("missing ]; \(usage)") }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.first == ":" else { throw Invalid(usage) }
            return (host, try port(rest.dropFirst()))
        }
        if !text.isEmpty, text.allSatisfy(\.isNumber) { return (defaultHost, try port(text[...])) }
        let colons = text.filter { $0 == ":" }.count
        if colons > 1 { throw Invalid("put an IPv6 address in brackets, e.g. [::1]:\(defaultPort)") }
        guard let colon = text.firstIndex(of: ":") else {
            guard !text.isEmpty else { throw Invalid("empty; \(usage)") }
            return (text, defaultPort)
        }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw Invalid("no host; \(usage)") }
        return (host, try port(text[text.index(after: colon)...]))
    }

    /// `host:port` as written in messages and logs (IPv6 in brackets).
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Only the loopback interface can reach the server: 127.0.0.0/8, ::1 (also v4-mapped) and
    /// the name localhost. Any other name may resolve to a public interface, so it needs a token.
    public var isLoopback: Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let v4 = h.hasPrefix("::ffff:") ? String(h.dropFirst(7)) : h
        let octets = v4.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { UInt8($0) != nil } && octets[0] == "127"
    }

    public var requiresToken: Bool { apiToken != nil }
}
