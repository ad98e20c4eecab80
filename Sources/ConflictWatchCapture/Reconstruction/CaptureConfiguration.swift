/// Bounds and choices of HTTP reconstruction from packets (SPEC §4); every bound keeps memory
/// finite whatever the traffic.
public struct CaptureConfiguration: Sendable, Equatable {
    /// Connections tracked at once; beyond it the least recently active are evicted.
    public var maxFlows = 65_536
    /// A connection silent this long (traffic time) is closed: its requests still waiting
    /// are reported with status null.
    public var idleTimeoutMicros: Int64 = 120_000_000
    /// Requests waiting for responses per connection (Zeek keeps 100).
    public var maxPendingRequests = 100
    /// Out-of-order segments buffered per direction, and their bytes.
    public var maxBufferedSegments = 64
    public var maxBufferedBytesPerDirection = 256 << 10
    /// All flows' out-of-order bytes together.
    public var maxBufferedBytes = 64 << 20
    /// Longest request or response head accepted.
    public var maxHeadBytes = 65_536
    /// Header whose first value is the client instead of the source address (lower-case,
    /// e.g. "x-forwarded-for"); nil uses the source address.
    public var clientHeader: String? = nil
    /// BPF filter (tcpdump syntax) libpcap applies before anything is decoded.
    public var filter: String? = nil

    public init() {}
}
