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
