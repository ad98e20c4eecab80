import Testing
@testable import ConflictWatchCapture

@Suite struct LinkLayerTests {
    static let payload = Array("GET / HTTP/1.1\r\n\r\n".utf8)
    static let segment = FrameBuilder.tcp(sourcePort: 5555, destinationPort: 80, sequence: 7, flags: 0x18, payload: payload)
    static let ip4 = FrameBuilder.ipv4(source: FrameBuilder.v4(192, 0, 2, 1), destination: FrameBuilder.v4(192, 0, 2, 2), payload: segment)
    static let ip6 = FrameBuilder.ipv6(source: FrameBuilder.loopback6, destination: FrameBuilder.loopback6, payload: segment)

    func decode(_ frame: [UInt8], _ link: LinkType) -> (TCPSegment?, PacketDecoder) {
        var decoder = PacketDecoder(linkType: link)
        var s = TCPSegment()
        let ok = frame.withUnsafeBytes { decoder.decode($0, into: &s) }
        // The payload views the frame: only its length is used outside.
        return (ok ? s : nil, decoder)
    }

    func expectSegment(_ frame: [UInt8], _ link: LinkType, v6: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        let (s, _) = decode(frame, link)
        #expect(s?.sourcePort == 5555, sourceLocation: sourceLocation)
        #expect(s?.destinationPort == 80, sourceLocation: sourceLocation)
        #expect(s?.sequence == 7, sourceLocation: sourceLocation)
        #expect(s?.wireLength == Self.payload.count, sourceLocation: sourceLocation)
        #expect(s?.source.isV6 == v6, sourceLocation: sourceLocation)
    }

    @Test func ethernetIPv4AndIPv6() {
        expectSegment(FrameBuilder.ethernet(type: 0x0800, Self.ip4), .ethernet)
        expectSegment(FrameBuilder.ethernet(type: 0x86DD, Self.ip6), .ethernet, v6: true)
        #expect(decode(FrameBuilder.ethernet(type: 0x0800, Self.ip4), .ethernet).0?.source.text == "192.0.2.1")
        #expect(decode(FrameBuilder.ethernet(type: 0x86DD, Self.ip6), .ethernet).0?.source.text == "::1")
    }

    @Test func vlanTags8021QAndQinQ() {
        expectSegment(FrameBuilder.ethernet(type: 0x0800, Self.ip4, vlans: [0x8100]), .ethernet)
        expectSegment(FrameBuilder.ethernet(type: 0x0800, Self.ip4, vlans: [0x88A8, 0x8100]), .ethernet)
        expectSegment(FrameBuilder.ethernet(type: 0x86DD, Self.ip6, vlans: [0x8100, 0x8100]), .ethernet, v6: true)
    }

    @Test func llcSnapPppoeAndMpls() {
        let mac = [UInt8](repeating: 1, count: 12)
        let snap = mac + FrameBuilder.be16(UInt16(8 + Self.ip4.count)) + [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] + Self.ip4
        expectSegment(snap, .ethernet)
        let pppoe = mac + [0x88, 0x64, 0x11, 0x00, 0x00, 0x01] + FrameBuilder.be16(UInt16(Self.ip4.count + 2)) + [0x00, 0x21] + Self.ip4
        expectSegment(pppoe, .ethernet)
        let pppoeCompressed = mac + [0x88, 0x64, 0x11, 0x00, 0x00, 0x01] + FrameBuilder.be16(UInt16(Self.ip4.count + 1)) + [0x21] + Self.ip4
        expectSegment(pppoeCompressed, .ethernet)
        let mpls = mac + [0x88, 0x47] + [0x00, 0x01, 0xD0, 0x40] + [0x00, 0x01, 0xD1, 0x40] + Self.ip4
        expectSegment(mpls, .ethernet)
    }

    @Test func linuxCookedV1AndV2() {
        let sll = [0, 0, 0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + [0x08, 0x00] + Self.ip4
        expectSegment(sll, .linuxSLL)
        let sll2 = [0x86, 0xDD, 0, 0] + [0, 0, 0, 1] + [0, 1, 0, 6] + [UInt8](repeating: 0, count: 8) + Self.ip6
        expectSegment(sll2, .linuxSLL2, v6: true)
    }

    @Test func bsdLoopbackInBothByteOrders() {
        expectSegment([2, 0, 0, 0] + Self.ip4, .null)
        expectSegment([0, 0, 0, 2] + Self.ip4, .null)
        expectSegment([30, 0, 0, 0] + Self.ip6, .null, v6: true)
        expectSegment([0, 0, 0, 24] + Self.ip6, .null, v6: true)
        expectSegment([0, 0, 0, 2] + Self.ip4, .loop)
        #expect(decode([7, 0, 0, 0] + Self.ip4, .null).0 == nil)
    }

    @Test func rawIPAndNflog() {
        expectSegment(Self.ip4, .raw)
        expectSegment(Self.ip6, .raw, v6: true)
        expectSegment(Self.ip4, .ipv4)
        // NFLOG: header, a prefix TLV (type 10), then the payload TLV (type 9).
        let prefix: [UInt8] = [8, 0, 10, 0, 0x41, 0x42, 0x43, 0]
        let len = UInt16(4 + Self.ip4.count)
        let tlv: [UInt8] = [UInt8(len & 0xFF), UInt8(len >> 8), 9, 0] + Self.ip4
        expectSegment([2, 0, 0, 0] + prefix + tlv, .nflog)
    }

    @Test func linkTypesFromDLT() {
        #expect(LinkType(dlt: 1) == .ethernet)
        #expect(LinkType(dlt: 113) == .linuxSLL)
        #expect(LinkType(dlt: 276) == .linuxSLL2)
        #expect(LinkType(dlt: 12) == .raw)
        #expect(LinkType(dlt: 0) == .null)
        #expect(!LinkType(dlt: 105).isSupported)
    }

    @Test func ipv6ExtensionHeadersAreSkipped() {
        let hopByHop: [UInt8] = [0, 0, 1, 4, 0, 0, 0, 0]
        let routing: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
        let atomicFragment: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 42]
        let destination: [UInt8] = [0, 1] + [UInt8](repeating: 0, count: 14)
        let ip = FrameBuilder.ipv6(source: FrameBuilder.loopback6, destination: FrameBuilder.loopback6,
                                   extensions: [(0, hopByHop), (43, routing), (44, atomicFragment), (60, destination)], payload: Self.segment)
        expectSegment(FrameBuilder.ethernet(type: 0x86DD, ip), .ethernet, v6: true)
    }

    @Test func fragmentsAreCountedAndSkipped() {
        let moreFragments = FrameBuilder.ipv4(source: 1, destination: 2, payload: Self.segment, fragment: 0x2000)
        let (s, d) = decode(FrameBuilder.ethernet(type: 0x0800, moreFragments), .ethernet)
        #expect(s == nil)
        #expect(d.fragments == 1)
        let laterFragment: [UInt8] = [0, 0, 0, 8, 0, 0, 0, 42]
        let ip6 = FrameBuilder.ipv6(source: FrameBuilder.loopback6, destination: FrameBuilder.loopback6, extensions: [(44, laterFragment)], payload: Self.segment)
        let (s6, d6) = decode(FrameBuilder.ethernet(type: 0x86DD, ip6), .ethernet)
        #expect(s6 == nil)
        #expect(d6.fragments == 1)
    }

    @Test func ethernetPaddingIsNotPayload() {
        let segment = FrameBuilder.tcp(sourcePort: 1, destinationPort: 2, sequence: 0, flags: 0x18, payload: [0x47])
        let frame = FrameBuilder.ethernet(type: 0x0800, FrameBuilder.ipv4(source: 1, destination: 2, payload: segment)) + [0, 0, 0, 0, 0, 0]
        var decoder = PacketDecoder(linkType: .ethernet)
        var s = TCPSegment()
        let ok = frame.withUnsafeBytes { decoder.decode($0, into: &s) }
        #expect(ok)
        #expect(s.wireLength == 1)
    }

    @Test func snapLengthCutPayloadKeepsTheWireLength() {
        let frame = FrameBuilder.ethernet(type: 0x0800, Self.ip4)
        let cut = Array(frame.prefix(14 + 20 + 20 + 5))
        var decoder = PacketDecoder(linkType: .ethernet)
        var s = TCPSegment()
        let (ok, captured) = cut.withUnsafeBytes { b in (decoder.decode(b, into: &s), s.payload.count) }
        #expect(ok)
        #expect(captured == 5)
        #expect(s.wireLength == Self.payload.count)
        #expect(decoder.truncated == 1)
    }

    @Test func vxlanInnerFrameIsDecoded() {
        let inner = FrameBuilder.ethernet(type: 0x0800, Self.ip4)
        let vxlan: [UInt8] = [0x08, 0, 0, 0, 0, 0, 0x2A, 0]
        let udp = FrameBuilder.be16(40000) + FrameBuilder.be16(4789) + FrameBuilder.be16(UInt16(8 + vxlan.count + inner.count)) + [0, 0] + vxlan + inner
        let outer = FrameBuilder.ethernet(type: 0x0800, FrameBuilder.ipv4(source: 9, destination: 10, protocol: 17, payload: udp))
        expectSegment(outer, .ethernet)
    }

    @Test func nonTCPAndJunkAreCounted() {
        let udp = FrameBuilder.ethernet(type: 0x0800, FrameBuilder.ipv4(source: 1, destination: 2, protocol: 17, payload: [0, 53, 0, 53, 0, 8, 0, 0]))
        #expect(decode(udp, .ethernet).1.nonTCP == 1)
        #expect(decode(FrameBuilder.ethernet(type: 0x0806, [1, 2, 3]), .ethernet).1.undecodable == 1)
        #expect(decode([], .ethernet).1.undecodable == 1)
        #expect(decode([0x45, 0, 0], .raw).1.undecodable == 1)
    }
}
