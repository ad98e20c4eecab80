import ConflictWatchFleet

#if canImport(Glibc)
import Glibc
#endif

/// This daemon as a fleet agent (SPEC §7): the shared PostgreSQL and the agent's name.
public struct FleetSettings: Sendable, Equatable {
    public var url: FleetDatabaseURL
    public var agent: String
    /// An agent not heard from for this long no longer holds the fleet's watermark back.
    public var agentTimeoutSeconds: Double = 30
    public static let agentTimeoutRange = 1...3600

    public init(url: FleetDatabaseURL, agent: String) {
        self.url = url
        self.agent = agent
    }

    /// The settings from a flag's or a config key's values: the URL's text, the agent's name
    /// (default the host name) and the timeout in whole seconds (default 30).
    public init(urlText: String, agent: String?, timeoutSeconds: Int?) throws(FleetError) {
        self.init(url: try FleetDatabaseURL(urlText), agent: agent ?? Self.hostName())
        if let timeoutSeconds { agentTimeoutSeconds = Double(timeoutSeconds) }
    }

    /// `--database-url`, then `database_url:` in the config, then CONFLICTWATCH_DATABASE_URL.
    public static let environmentVariable = "CONFLICTWATCH_DATABASE_URL"

    public static func urlFromEnvironment() -> String? {
        guard let v = getenv(environmentVariable) else { return nil }
        let s = String(cString: v)
        return s.isEmpty ? nil : s
    }

    /// The default agent name: the host name.
    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "agent" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "agent" : name
    }

    /// Agent names are shown in alerts and logs: printable, short, no '/'.
    public static func validAgentName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }
    }
}
