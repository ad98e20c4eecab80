/// Peels link-layer headers off a frame: Ethernet II (with 802.1Q/802.1ad/QinQ tags, 802.3
/// LLC/SNAP, PPPoE sessions, MPLS label stacks), Linux cooked v1/v2, BSD NULL/LOOP, raw IP and
/// NFLOG. Returns nil for anything else (ARP, STP, unknown link types): not HTTP.
public enum LinkLayerDecoder {
    /// Tags and encapsulations stacked deeper than this are treated as hostile.
    static let maxNesting = 8

    @inline(__always)
    public static func network(in frame: UnsafeRawBufferPointer, linkType: LinkType) -> (NetworkLayer, Int)? {
        switch linkType {
        case .ethernet:
            return ethernet(frame, at: 0)
        case .linuxSLL:
            guard frame.count >= 16 else { return nil }
            return etherType(frame.be16(14), frame, at: 16)
        case .linuxSLL2:
            guard frame.count >= 20 else { return nil }
            return etherType(frame.be16(0), frame, at: 20)
        case .null:
            guard frame.count >= 4 else { return nil }
            // Written in the capturing host's byte order; the values never collide across orders.
            let le = frame.le32(0)
            return family(le <= 0xFFFF ? le : frame.be32(0), frame)
        case .loop:
            guard frame.count >= 4 else { return nil }
            return family(frame.be32(0), frame)
        case .raw:
            return byVersion(frame, at: 0)
        case .ipv4:
            return (.ipv4, 0)
        case .ipv6:
            return (.ipv6, 0)
        case .nflog:
            return nflog(frame)
        case .unsupported:
            return nil
        }
    }

    /// An Ethernet II / 802.3 header starting at `at` (also used for VXLAN's inner frame).
    @inline(__always)
    static func ethernet(_ f: UnsafeRawBufferPointer, at: Int) -> (NetworkLayer, Int)? {
        guard f.count >= at + 14 else { return nil }
        return etherType(f.be16(at + 12), f, at: at + 14)
    }

    @inline(__always)
    static func etherType(_ first: UInt16, _ f: UnsafeRawBufferPointer, at start: Int) -> (NetworkLayer, Int)? {
        var type = first
        var o = start
        for _ in 0..<maxNesting {
            switch type {
            case 0x0800:
                return (.ipv4, o)
            case 0x86DD:
                return (.ipv6, o)
            case 0x8100, 0x88A8, 0x9100, 0x9200:
                guard f.count >= o + 4 else { return nil }
                type = f.be16(o + 2)
                o += 4
            case 0x8864:
                // PPPoE session: 6-byte header, then a PPP protocol field of one byte when
                // compressed (odd first byte) or two.
                guard f.count >= o + 8 else { return nil }
                o += 6
                let proto: UInt16
                if f[o] & 1 == 1 {
                    proto = UInt16(f[o])
                    o += 1
                } else {
                    proto = f.be16(o)
                    o += 2
                }
                switch proto {
                case 0x21: return (.ipv4, o)
                case 0x57: return (.ipv6, o)
                default: return nil
                }
            case 0x8847, 0x8848:
                // MPLS: labels until bottom-of-stack; the payload's version nibble says the rest.
                var bottom = false
                var labels = 0
                while !bottom {
                    guard f.count >= o + 4, labels < maxNesting else { return nil }
                    bottom = f[o + 2] & 1 == 1
                    o += 4
                    labels += 1
                }
                return byVersion(f, at: o)
            default:
                // 802.3: a length, not a type; only LLC/SNAP carries an EtherType on.
                guard type <= 1500, f.count >= o + 8, f[o] == 0xAA, f[o + 1] == 0xAA, f[o + 2] == 0x03 else {
                    return nil
                }
                type = f.be16(o + 6)
                o += 8
            }
        }
        return nil
    }

    @inline(__always)
    static func byVersion(_ f: UnsafeRawBufferPointer, at o: Int) -> (NetworkLayer, Int)? {
        guard f.count > o else { return nil }
        switch f[o] >> 4 {
        case 4: return (.ipv4, o)
        case 6: return (.ipv6, o)
        default: return nil
        }
    }

    /// BSD address families: AF_INET is 2 everywhere, AF_INET6 is 24, 28 or 30 on the BSDs
    /// and macOS, 10 on Linux.
    @inline(__always)
    static func family(_ af: UInt32, _ f: UnsafeRawBufferPointer) -> (NetworkLayer, Int)? {
        switch af {
        case 2: return (.ipv4, 4)
        case 10, 24, 28, 30: return (.ipv6, 4)
        default: return nil
        }
    }

    /// NFLOG: a 4-byte header, then TLVs (length and type in host order, padded to 4 bytes);
    /// the packet is the NFULA_PAYLOAD (type 9) attribute.
    static func nflog(_ f: UnsafeRawBufferPointer) -> (NetworkLayer, Int)? {
        var o = 4
        var attributes = 0
        while f.count >= o + 4, attributes < 64 {
            let length = Int(f.le16(o))
            let type = f.le16(o + 2)
            guard length >= 4 else { return nil }
            if type == 9 { return byVersion(f, at: o + 4) }
            o += (length + 3) & ~3
            attributes += 1
        }
        return nil
    }
}
