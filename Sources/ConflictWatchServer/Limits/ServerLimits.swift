/// How the query API protects the daemon (SPEC §9): connections that send nothing useful are
/// closed, and the number open at once is capped below the file descriptors the sources need,
/// so no client can stall ingestion by holding sockets.
public struct ServerLimits: Sendable, Equatable {
    /// One limit as the config file and the command line name it, with its range.
    public struct Setting: Sendable {
        public let configKey: String
        public let flag: String
        public let range: ClosedRange<Int>
        public let defaultValue: Int
        /// What a value is, as in "expected whole seconds in 1…600".
        let quantity: String

        /// "expected …" for an out-of-range value, naming the range and the default.
        public var expectation: String {
            "expected \(quantity) in \(range.lowerBound)…\(range.upperBound) (default \(defaultValue))"
        }

        public func check(_ value: Int) -> String? {
            range.contains(value) ? nil : expectation
        }
    }

    public static let idleTimeoutSetting = Setting(
        configKey: "api_idle_timeout_seconds", flag: "--api-idle-timeout", range: 1...3_600, defaultValue: 60, quantity: "whole seconds")
    public static let requestTimeoutSetting = Setting(
        configKey: "api_request_timeout_seconds", flag: "--api-request-timeout", range: 1...600, defaultValue: 10, quantity: "whole seconds")
    public static let maxConnectionsSetting = Setting(
        configKey: "api_max_connections", flag: "--api-max-connections", range: 1...65_536, defaultValue: 256, quantity: "a number of connections")

    /// A keep-alive connection with no request in progress is closed after this long.
    public var idleTimeout: Duration
    /// A connection must deliver a complete request head within this long of being opened, or
    /// of the first byte of its next request; else it gets a 408 (or, if it sent nothing, is
    /// just closed).
    public var requestTimeout: Duration
    /// Connections beyond this many are accepted and closed at once, so they hold no descriptor.
    public var maxConnections: Int

    public init(
        idleTimeout: Duration = .seconds(idleTimeoutSetting.defaultValue),
        requestTimeout: Duration = .seconds(requestTimeoutSetting.defaultValue),
        maxConnections: Int = maxConnectionsSetting.defaultValue
    ) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
    }

    /// From whole seconds and a count as the config file and flags give them; the message of a
    /// value out of range names its key (`key(setting)` picks the config key or the flag).
    public init(idleSeconds: Int?, requestSeconds: Int?, maxConnections: Int?,
                key: (Setting) -> String) throws(QueryServerConfiguration.Invalid) {
        func value(_ given: Int?, _ setting: Setting) throws(QueryServerConfiguration.Invalid) -> Int {
            guard let given else { return setting.defaultValue }
            if let problem = setting.check(given) { throw QueryServerConfiguration.Invalid("\(key(setting)) \(given): \(problem)") }
            return given
        }
        self.init(
            idleTimeout: .seconds(try value(idleSeconds, Self.idleTimeoutSetting)),
            requestTimeout: .seconds(try value(requestSeconds, Self.requestTimeoutSetting)),
            maxConnections: try value(maxConnections, Self.maxConnectionsSetting))
    }
}
