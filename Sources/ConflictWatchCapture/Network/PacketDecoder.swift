/// Frame → TCP segment: link layer, IPv4 or IPv6 (extension headers skipped), TCP, and VXLAN's
/// inner frame. Everything that is not a TCP segment is counted by reason and dropped.
public struct PacketDecoder {
    public let linkType: LinkType
    public private(set) var undecodable: UInt64 = 0
    public private(set) var fragments: UInt64 = 0
    public private(set) var nonTCP: UInt64 = 0
    public private(set) var truncated: UInt64 = 0

    static let vxlanPort: UInt16 = 4789

    public init(linkType: LinkType) { self.linkType = linkType }

    /// The TCP segment in `frame`, or nil (counted) when there is none.
    @inline(__always)
    public mutating func decode(_ frame: UnsafeRawBufferPointer, into s: inout TCPSegment) -> Bool {
        guard let (layer, offset) = LinkLayerDecoder.network(in: frame, linkType: linkType) else {
            undecodable &+= 1
            return false
        }
        return network(layer, frame, at: offset, into: &s, depth: 0)
    }

    @inline(__always)
    mutating func network(_ layer: NetworkLayer, _ f: UnsafeRawBufferPointer, at o: Int, into s: inout TCPSegment, depth: Int) -> Bool {
        var l4 = 0
        var l4End = 0
        var proto: UInt8 = 0
        switch layer {
        case .ipv4:
            guard f.count >= o + 20, f[o] >> 4 == 4 else { undecodable &+= 1; return false }
            let ihl = Int(f[o] & 0x0F) &* 4
            let total = Int(f.be16(o + 2))
            guard ihl >= 20, f.count >= o + ihl else { undecodable &+= 1; return false }
            if f.be16(o + 6) & 0x3FFF != 0 {
                // More-fragments set or a non-zero offset: reassembling IP is out of scope.
                fragments &+= 1
                return false
            }
            proto = f[o + 9]
            s.source = IPAddress(v4: f.be32(o + 12))
            s.destination = IPAddress(v4: f.be32(o + 16))
            l4 = o + ihl
            // A total length of 0 comes from TSO on the capturing host: trust the frame.
            l4End = total == 0 ? f.count : o + total
            guard l4End >= l4 else { undecodable &+= 1; return false }
        case .ipv6:
            guard f.count >= o + 40, f[o] >> 4 == 6 else { undecodable &+= 1; return false }
            let payloadLength = Int(f.be16(o + 4))
            var next = f[o + 6]
            s.source = IPAddress(high: f.be64(o + 8), low: f.be64(o + 16))
            s.destination = IPAddress(high: f.be64(o + 24), low: f.be64(o + 32))
            l4 = o + 40
            l4End = payloadLength == 0 ? f.count : l4 + payloadLength
            var hops = 0
            extensionHeaders: while true {
                hops += 1
                guard hops <= 16 else { undecodable &+= 1; return false }
                switch next {
                case 0, 43, 60, 135, 139, 140:
                    guard f.count >= l4 + 2 else { truncated &+= 1; return false }
                    next = f[l4]
                    l4 += (Int(f[l4 + 1]) + 1) &* 8
                case 44:
                    guard f.count >= l4 + 8 else { truncated &+= 1; return false }
                    // An atomic fragment (offset 0, no more fragments) is a whole packet.
                    if f.be16(l4 + 2) & 0xFFF9 != 0 {
                        fragments &+= 1
                        return false
                    }
                    next = f[l4]
                    l4 += 8
                case 51:
                    guard f.count >= l4 + 2 else { truncated &+= 1; return false }
                    next = f[l4]
                    l4 += (Int(f[l4 + 1]) + 2) &* 4
                default:
                    break extensionHeaders
                }
            }
            proto = next
            guard l4End >= l4 else { undecodable &+= 1; return false }
        }
        switch proto {
        case 6:
            return tcp(f, at: l4, end: l4End, into: &s)
        case 17:
            // VXLAN (UDP 4789) carries a whole Ethernet frame: decode it once, no deeper.
            guard depth == 0, f.count >= l4 + 16, f.be16(l4 + 2) == Self.vxlanPort,
                  let (inner, offset) = LinkLayerDecoder.ethernet(f, at: l4 + 16) else {
                nonTCP &+= 1
                return false
            }
            return network(inner, f, at: offset, into: &s, depth: depth + 1)
        default:
            nonTCP &+= 1
            return false
        }
    }

    @inline(__always)
    mutating func tcp(_ f: UnsafeRawBufferPointer, at l4: Int, end l4End: Int, into s: inout TCPSegment) -> Bool {
        guard f.count >= l4 + 20 else { truncated &+= 1; return false }
        let dataOffset = Int(f[l4 + 12] >> 4) &* 4
        guard dataOffset >= 20, l4End - l4 >= dataOffset else { undecodable &+= 1; return false }
        guard f.count >= l4 + dataOffset else { truncated &+= 1; return false }
        s.sourcePort = f.be16(l4)
        s.destinationPort = f.be16(l4 + 2)
        s.sequence = f.be32(l4 + 4)
        s.acknowledgment = f.be32(l4 + 8)
        s.flags = f[l4 + 13]
        let start = l4 + dataOffset
        let wire = l4End - start
        let captured = min(wire, f.count - start)
        if captured < wire { truncated &+= 1 }
        s.wireLength = wire
        s.payload = UnsafeRawBufferPointer(start: f.baseAddress! + start, count: captured)
        return true
    }
}
