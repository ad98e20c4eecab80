/// An HTTP exchange with owned fields (SPEC §3). Produced from an `ExchangeView` off the hot
/// path: for tests, for `parse` consumers in Swift, and for alert evidence.
public struct Exchange: Sendable, Hashable, Codable {
    public var time: Int64
    public var client: String
    public var method: String
    public var host: String?
    public var path: String
    public var query: String?
    public var route: String
    public var status: Int?
    public var bytes: Int?
    public var latencyMs: Double?
    public var userAgent: String?
    public var requestID: String?
    public var source: String

    public init(
        time: Int64, client: String, method: String, host: String? = nil, path: String,
        query: String? = nil, route: String, status: Int?, bytes: Int? = nil,
        latencyMs: Double? = nil, userAgent: String? = nil, requestID: String? = nil, source: String = ""
    ) {
        self.time = time
        self.client = client
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.route = route
        self.status = status
        self.bytes = bytes
        self.latencyMs = latencyMs
        self.userAgent = userAgent
        self.requestID = requestID
        self.source = source
    }

    public init(_ v: ExchangeView, route: String, source: String = "") {
        self.init(
            time: v.time, client: v.client.lossyString, method: v.method.lossyString,
            host: v.host?.lossyString, path: v.path.lossyString, query: v.query?.lossyString,
            route: route, status: v.status >= 0 ? Int(v.status) : nil,
            bytes: v.bytes >= 0 ? Int(v.bytes) : nil,
            latencyMs: v.latencyMicros >= 0 ? Double(v.latencyMicros) / 1000 : nil,
            userAgent: v.userAgent?.lossyString, requestID: v.requestID?.lossyString, source: source)
    }

    /// This exchange lent as a view, with the fields the model reads (time, client, method,
    /// path, status, bytes, latency), valid during the call: the way back from `init(_:route:)`,
    /// for feeding owned exchanges to what takes views (tests, the simulator's traffic).
    @discardableResult
    public func withView<R>(_ body: (ExchangeView) throws -> R) rethrows -> R {
        let client = Array(client.utf8), method = Array(method.utf8), path = Array(path.utf8)
        return try client.withUnsafeBytes { c in
            try method.withUnsafeBytes { m in
                try path.withUnsafeBytes { p in
                    var x = ExchangeView()
                    x.time = time
                    x.client = c
                    x.method = m
                    x.path = p
                    x.status = Int32(status ?? -1)
                    x.bytes = Int64(bytes ?? -1)
                    x.latencyMicros = latencyMs.map { Int64($0 * 1000) } ?? -1
                    return try body(x)
                }
            }
        }
    }
}
