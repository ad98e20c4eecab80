/// A TCP connection's identity, the same for both directions: the lower (address, port)
/// endpoint is `a`. `direction(of:)` says which way a segment travels (0: from `a`).
public struct FlowKey: Hashable, Sendable {
    public var a: IPAddress
    public var b: IPAddress
    public var portA: UInt16
    public var portB: UInt16

    /// The empty slot's key in a `FlowTable`.
    static let zero = FlowKey(a: IPAddress(v4: 0), b: IPAddress(v4: 0), portA: 0, portB: 0)

    init(a: IPAddress, b: IPAddress, portA: UInt16, portB: UInt16) {
        self.a = a
        self.b = b
        self.portA = portA
        self.portB = portB
    }

    @inline(__always)
    public init(_ s: TCPSegment) {
        if (s.source, s.sourcePort) < (s.destination, s.destinationPort) {
            a = s.source; portA = s.sourcePort; b = s.destination; portB = s.destinationPort
        } else {
            a = s.destination; portA = s.destinationPort; b = s.source; portB = s.sourcePort
        }
    }

    @inline(__always)
    public func direction(of s: TCPSegment) -> Int {
        s.sourcePort == portA && s.source == a ? 0 : 1
    }

    /// The address packets of `direction` come from.
    public func source(of direction: Int) -> IPAddress { direction == 0 ? a : b }

    @inline(__always)
    public func hash(into h: inout Hasher) {
        h.combine(a.high ^ (b.high &* 0x9E37_79B9_7F4A_7C15))
        h.combine(a.low ^ (b.low &* 0xC2B2_AE3D_27D4_EB4F))
        h.combine(UInt32(portA) << 16 | UInt32(portB))
    }
}
