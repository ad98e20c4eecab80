/// A TCP segment cut out of a frame: endpoints, sequence numbers, flags and payload.
/// `payload` views the frame (valid while the frame is); it may be shorter than
/// `wireLength` when the snapshot length cut the frame.
public struct TCPSegment {
    public var source = IPAddress(v4: 0)
    public var destination = IPAddress(v4: 0)
    public var sourcePort: UInt16 = 0
    public var destinationPort: UInt16 = 0
    public var sequence: UInt32 = 0
    public var acknowledgment: UInt32 = 0
    public var flags: UInt8 = 0
    public var payload: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Payload length as the IP header gives it (Ethernet padding excluded).
    public var wireLength: Int = 0

    public init() {}

    public static let fin: UInt8 = 0x01
    public static let syn: UInt8 = 0x02
    public static let rst: UInt8 = 0x04
    public static let ack: UInt8 = 0x10

    @inline(__always) public var isSYN: Bool { flags & Self.syn != 0 }
    @inline(__always) public var isFIN: Bool { flags & Self.fin != 0 }
    @inline(__always) public var isRST: Bool { flags & Self.rst != 0 }
    @inline(__always) public var hasACK: Bool { flags & Self.ack != 0 }
}
