/// One row of the routes table (SPEC §6).
public struct RouteRow: Codable, Sendable, Equatable {
    public var route: String
    public var requests: UInt64
    public var writes: UInt64
    public var conflicts: UInt64
    /// Status code (as text, as JSON keys must be) → count; "0" = no response.
    public var statuses: [String: UInt64]
    /// conflicts / writes (0 when the route had no writes).
    public var conflictRatio: Double
    public var writers: Int
    public var resources: Int
    public var p50Ms: Double?
    public var p99Ms: Double?

    enum CodingKeys: String, CodingKey {
        case route, requests, writes, conflicts, statuses
        case conflictRatio = "conflict_ratio"
        case writers, resources
        case p50Ms = "p50_ms"
        case p99Ms = "p99_ms"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(route, forKey: .route)
        try c.encode(requests, forKey: .requests)
        try c.encode(writes, forKey: .writes)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(statuses, forKey: .statuses)
        try c.encode(conflictRatio, forKey: .conflictRatio)
        try c.encode(writers, forKey: .writers)
        try c.encode(resources, forKey: .resources)
        try c.encode(p50Ms, forKey: .p50Ms)
        try c.encode(p99Ms, forKey: .p99Ms)
    }
}

/// A line that did not parse, kept as evidence (at most `SourceReport.maxSamples` per source).
public struct MalformedSample: Codable, Sendable, Equatable {
    public var line: Int
    public var reason: String
    /// The line, cut to 200 bytes, invalid UTF-8 repaired.
    public var text: String

    public init(line: Int, reason: String, text: String) {
        self.line = line
        self.reason = reason
        self.text = text
    }
}

/// What one input (file, stdin) gave.
public struct SourceReport: Codable, Sendable, Equatable {
    public static let maxSamples = 10
    public var source: String
    public var format: String
    public var bytes: UInt64 = 0
    public var lines: UInt64 = 0
    public var blank: UInt64 = 0
    public var exchanges: UInt64 = 0
    public var malformed: UInt64 = 0
    public var malformedReasons: [String: UInt64] = [:]
    public var samples: [MalformedSample] = []
    /// Set when the source stopped early (I/O error, truncated gzip); the rest still counts.
    public var error: String? = nil
    /// Packet-level counts when the source is a capture (then `lines` counts packets); absent for logs.
    public var capture: CaptureReport? = nil

    public init(source: String, format: String) {
        self.source = source
        self.format = format
    }

    enum CodingKeys: String, CodingKey {
        case source, format, bytes, lines, blank, exchanges, malformed
        case malformedReasons = "malformed_reasons"
        case samples, error, capture
    }
}

/// What packet capture saw and skipped for one source (pcap file or interface): enough to tell
/// a clean capture from a lossy one without reading the packets again.
public struct CaptureReport: Codable, Sendable, Equatable {
    public var linkType: String = ""
    public var packets: UInt64 = 0
    /// Frames cut short by the snapshot length; the missing bytes count as gaps.
    public var truncatedPackets: UInt64 = 0
    /// Frames that were not IPv4/IPv6 over a supported link layer, or had broken headers.
    public var undecodable: UInt64 = 0
    public var fragments: UInt64 = 0
    public var nonTCP: UInt64 = 0
    public var flows: UInt64 = 0
    public var httpFlows: UInt64 = 0
    public var tlsFlows: UInt64 = 0
    public var http2Flows: UInt64 = 0
    public var otherFlows: UInt64 = 0
    public var outOfOrder: UInt64 = 0
    public var retransmissions: UInt64 = 0
    public var gaps: UInt64 = 0
    public var gapBytes: UInt64 = 0
    /// Times an HTTP stream lost its framing (gap, bad head) and was picked up again at the
    /// next request or status line.
    public var resyncs: UInt64 = 0
    public var orphanResponses: UInt64 = 0
    /// Requests reported with status null (no response before close, eviction or the end).
    public var unanswered: UInt64 = 0
    /// Requests dropped from a connection's full pending queue (reported with status null).
    public var pendingOverflows: UInt64 = 0
    public var evictedFlows: UInt64 = 0
    public var idleFlows: UInt64 = 0
    /// Live capture only (pcap_stats): dropped by the kernel for lack of buffer space.
    public var kernelDrops: UInt64? = nil
    /// Live capture only (pcap_stats): dropped by the interface or its driver.
    public var interfaceDrops: UInt64? = nil

    public init() {}

    enum CodingKeys: String, CodingKey {
        case linkType = "link_type"
        case packets
        case truncatedPackets = "truncated_packets"
        case undecodable, fragments
        case nonTCP = "non_tcp"
        case flows
        case httpFlows = "http_flows"
        case tlsFlows = "tls_flows"
        case http2Flows = "http2_flows"
        case otherFlows = "other_flows"
        case outOfOrder = "out_of_order"
        case retransmissions, gaps
        case gapBytes = "gap_bytes"
        case resyncs
        case orphanResponses = "orphan_responses"
        case unanswered
        case pendingOverflows = "pending_overflows"
        case evictedFlows = "evicted_flows"
        case idleFlows = "idle_flows"
        case kernelDrops = "kernel_drops"
        case interfaceDrops = "interface_drops"
    }
}

/// `summary` of `analyze --format json` (SPEC §6).
public struct AnalysisSummary: Codable, Sendable, Equatable {
    public var lines: UInt64 = 0
    public var exchanges: UInt64 = 0
    public var malformed: UInt64 = 0
    public var blank: UInt64 = 0
    public var writes: UInt64 = 0
    public var conflicts: UInt64 = 0
    public var routes: Int = 0
    public var firstTime: String? = nil
    public var lastTime: String? = nil
    /// Wall-clock seconds spent reading and analysing.
    public var seconds: Double = 0
    public var linesPerSecond: Double = 0
    public var sources: [SourceReport] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case lines, exchanges, malformed, blank, writes, conflicts, routes
        case firstTime = "first_time"
        case lastTime = "last_time"
        case seconds
        case linesPerSecond = "lines_per_second"
        case sources
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lines, forKey: .lines)
        try c.encode(exchanges, forKey: .exchanges)
        try c.encode(malformed, forKey: .malformed)
        try c.encode(blank, forKey: .blank)
        try c.encode(writes, forKey: .writes)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(routes, forKey: .routes)
        try c.encode(firstTime, forKey: .firstTime)
        try c.encode(lastTime, forKey: .lastTime)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(linesPerSecond, forKey: .linesPerSecond)
        try c.encode(sources, forKey: .sources)
    }
}
