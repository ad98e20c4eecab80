import ConflictWatchCore
import Testing
@testable import ConflictWatchCapture

/// Bad input never wins: random bytes, flipped bits and cut frames must neither crash nor grow
/// memory without bound; what they break is counted.
@Suite struct HostileInputTests {
    static func traffic() -> [Conversation.Packet] {
        var packets: [Conversation.Packet] = []
        for k in 0..<8 {
            var c = TCPReassemblyTests.keepAlive(requests: 4, segments: [5 + k * 7])
            c.clientPort = UInt16(30000 + k)
            packets += c.packets
        }
        return packets
    }

    @Test(arguments: [LinkType.ethernet, .linuxSLL2, .null, .raw, .nflog])
    func randomFramesAreSurvived(link: LinkType) {
        var rng = SplitMix64(state: 42)
        var r = ExchangeReconstructor(linkType: link)
        for _ in 0..<20_000 {
            let frame = (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            frame.withUnsafeBytes { r.process(time: 1, frame: $0) { _, _ in } }
        }
        r.finish { _, _ in }
        #expect(r.report.packets == 20_000)
    }

    @Test func flippedBytesInRealTrafficAreSurvived() {
        let clean = Self.traffic()
        let baseline = reconstruct(clean).exchanges.count
        #expect(baseline == 32)
        var rng = SplitMix64(state: 7)
        for round in 0..<40 {
            var packets = clean
            for _ in 0..<(1 + round) {
                let p = rng.below(packets.count)
                guard !packets[p].frame.isEmpty else { continue }
                let i = rng.below(packets[p].frame.count)
                packets[p].frame[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            var configuration = CaptureConfiguration()
            configuration.maxFlows = 16
            let (x, report) = reconstruct(packets, configuration: configuration)
            #expect(report.packets == UInt64(packets.count))
            // A flipped byte can split a request or make one up, never multiply them.
            #expect(x.count <= baseline * 3)
        }
    }

    @Test func framesCutAtEveryLength() {
        let clean = Self.traffic()
        for cut in [0, 1, 13, 14, 20, 33, 34, 40, 53, 54, 60, 80] {
            let packets = clean.map { Conversation.Packet(time: $0.time, frame: Array($0.frame.prefix(cut))) }
            let (_, report) = reconstruct(packets)
            #expect(report.packets == UInt64(packets.count))
        }
    }

    @Test func outOfOrderFloodStaysWithinTheBufferBounds() {
        var c = Conversation()
        c.handshake()
        var configuration = CaptureConfiguration()
        configuration.maxBufferedSegments = 8
        configuration.maxBufferedBytesPerDirection = 4096
        var r = ExchangeReconstructor(linkType: .ethernet, configuration: configuration)
        for p in c.packets { p.frame.withUnsafeBytes { r.process(time: p.time, frame: $0) { _, _ in } } }
        // Every segment skips ahead of a hole that is never filled.
        for k in 0..<5_000 {
            c.clientSeq &+= 1000
            c.add(fromClient: true, flags: TCPSegment.ack, payload: Array("GET /\(k) HTTP/1.1\r\n\r\n".utf8))
            let p = c.packets.last!
            p.frame.withUnsafeBytes { r.process(time: p.time, frame: $0) { _, _ in } }
            #expect(r.context.bufferedBytes <= 4096)
            #expect(r.connections.first.map { $0.dirs[0].stream.buffered.count <= 8 } ?? true)
        }
        #expect(r.report.gaps > 0)
    }

    @Test func endlessHeadIsBounded() {
        var c = Conversation()
        c.handshake()
        c.send(fromClient: true, "GET / HTTP/1.1\r\nX: " + String(repeating: "y", count: 300_000))
        var configuration = CaptureConfiguration()
        configuration.maxHeadBytes = 8192
        var r = ExchangeReconstructor(linkType: .ethernet, configuration: configuration)
        for p in c.packets { p.frame.withUnsafeBytes { r.process(time: p.time, frame: $0) { _, _ in } } }
        #expect(r.report.resyncs == 1)
        let capacity = r.connections.first?.dirs[0].decoder?.buffer?.capacity ?? 0
        #expect(capacity <= 16384)
    }
}
