/// How to open an interface (the `capture -i` flags).
public struct LiveCaptureSettings: Sendable, Equatable {
    public var interface: String
    /// BPF expression (tcpdump syntax); nil captures everything.
    public var filter: String?
    public var snapLength: Int32 = 262_144
    /// Kernel ring buffer; bigger absorbs bursts while the pipeline catches up.
    public var bufferBytes: Int32 = 64 << 20
    public var promiscuous = false
    /// Wakes the capture thread at least this often so batches and statistics keep flowing.
    public var timeoutMillis: Int32 = 100

    public init(interface: String) { self.interface = interface }
}
