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

    /// Accepted `snapLength` (bytes): below 128 no HTTP head fits; 262,144 is libpcap's maximum.
    public static let snapLengthRange = 128...262_144
    /// Accepted kernel buffer, in MiB (`bufferBytes` is an Int32).
    public static let bufferMBRange = 1...4096

    /// The kernel buffer in MiB, as the flags and the config give it.
    public var bufferMB: Int {
        get { Int(bufferBytes >> 20) }
        set { bufferBytes = Int32(newValue) << 20 }
    }
}
