import ConflictWatchCore
@testable import ConflictWatchCapture

/// Builds frames byte by byte for tests: link layers around an IP packet around a TCP segment.
/// Checksums are left zero (nothing here verifies them, as on a capture with offloading).
enum FrameBuilder {
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func tcp(sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32, ack: UInt32 = 0, flags: UInt8, payload: [UInt8]) -> [UInt8] {
        var t = be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(ack)
        t += [0x50, flags] + be16(65535) + [0, 0, 0, 0]
        return t + payload
    }

    /// IPv4 header; `wireLength` overrides the total length (for truncation tests).
    static func ipv4(source: UInt32, destination: UInt32, protocol p: UInt8 = 6, payload: [UInt8], fragment: UInt16 = 0, totalLength: Int? = nil) -> [UInt8] {
        let total = totalLength ?? (20 + payload.count)
        var h: [UInt8] = [0x45, 0] + be16(UInt16(total)) + [0, 1] + be16(fragment) + [64, p, 0, 0]
        h += be32(source) + be32(destination)
        return h + payload
    }

    /// IPv6 with a chain of extension headers given as (type, bytes) pairs.
    static func ipv6(source: [UInt8], destination: [UInt8], extensions: [(UInt8, [UInt8])] = [], nextHeader: UInt8 = 6, payload: [UInt8]) -> [UInt8] {
        var chain: [UInt8] = []
        let types = extensions.map { $0.0 } + [nextHeader]
        for (i, ext) in extensions.enumerated() {
            var body = ext.1
            body[0] = types[i + 1]
            chain += body
        }
        let first = extensions.first?.0 ?? nextHeader
        var h: [UInt8] = [0x60, 0, 0, 0] + be16(UInt16(chain.count + payload.count)) + [first, 64]
        h += source + destination
        return h + chain + payload
    }

    static func ethernet(type: UInt16, _ payload: [UInt8], vlans: [UInt16] = []) -> [UInt8] {
        var f: [UInt8] = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]
        for tpid in vlans { f += be16(tpid) + be16(7) }
        return f + be16(type) + payload
    }

    static func v4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> UInt32 {
        UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    static let loopback6: [UInt8] = [UInt8](repeating: 0, count: 15) + [1]
}

/// A TCP conversation between a client and a server, turned into Ethernet/IPv4 frames with
/// correct sequence numbers, so tests can reorder, drop, duplicate or cut them.
struct Conversation {
    struct Packet {
        var time: Int64
        var frame: [UInt8]
    }

    var client: UInt32 = FrameBuilder.v4(10, 0, 0, 1)
    var server: UInt32 = FrameBuilder.v4(10, 0, 0, 2)
    var clientPort: UInt16 = 40000
    var serverPort: UInt16 = 8080
    var clientSeq: UInt32 = 1000
    var serverSeq: UInt32 = 900_000
    var time: Int64 = 1_700_000_000_000_000
    var packets: [Packet] = []

    mutating func handshake() {
        add(fromClient: true, flags: TCPSegment.syn, payload: [])
        clientSeq &+= 1
        add(fromClient: false, flags: TCPSegment.syn | TCPSegment.ack, payload: [])
        serverSeq &+= 1
        add(fromClient: true, flags: TCPSegment.ack, payload: [])
    }

    /// Sends `text` in segments of the given sizes (the last size repeats).
    mutating func send(fromClient: Bool, _ text: String, segments: [Int] = [1460]) {
        send(fromClient: fromClient, Array(text.utf8), segments: segments)
    }

    mutating func send(fromClient: Bool, _ bytes: [UInt8], segments: [Int] = [1460]) {
        var i = 0
        var k = 0
        while i < bytes.count {
            let size = max(1, segments[min(k, segments.count - 1)])
            let chunk = Array(bytes[i..<min(bytes.count, i + size)])
            add(fromClient: fromClient, flags: TCPSegment.ack, payload: chunk)
            if fromClient { clientSeq &+= UInt32(chunk.count) } else { serverSeq &+= UInt32(chunk.count) }
            i += chunk.count
            k += 1
        }
    }

    mutating func fin(fromClient: Bool) {
        add(fromClient: fromClient, flags: TCPSegment.fin | TCPSegment.ack, payload: [])
        if fromClient { clientSeq &+= 1 } else { serverSeq &+= 1 }
    }

    mutating func add(fromClient: Bool, flags: UInt8, payload: [UInt8]) {
        time += 1000
        let tcp = fromClient
            ? FrameBuilder.tcp(sourcePort: clientPort, destinationPort: serverPort, sequence: clientSeq, ack: serverSeq, flags: flags, payload: payload)
            : FrameBuilder.tcp(sourcePort: serverPort, destinationPort: clientPort, sequence: serverSeq, ack: clientSeq, flags: flags, payload: payload)
        let ip = fromClient ? FrameBuilder.ipv4(source: client, destination: server, payload: tcp) : FrameBuilder.ipv4(source: server, destination: client, payload: tcp)
        packets.append(Packet(time: time, frame: FrameBuilder.ethernet(type: 0x0800, ip)))
    }
}

/// An exchange as the tests compare it.
struct Seen: Equatable, CustomStringConvertible {
    var client: String
    var method: String
    var path: String
    var status: Int32
    var bytes: Int64
    var host: String? = nil

    var description: String { "\(client) \(method) \(path) \(status) \(bytes)" }
}

/// Runs frames through a reconstructor and collects what comes out.
func reconstruct(_ packets: [Conversation.Packet], linkType: LinkType = .ethernet, configuration: CaptureConfiguration = CaptureConfiguration()) -> (exchanges: [Seen], report: CaptureReport) {
    var r = ExchangeReconstructor(linkType: linkType, configuration: configuration)
    var out: [Seen] = []
    let sink: (inout ExchangeView, Int) -> Void = { x, _ in
        out.append(Seen(client: x.client.lossyString, method: x.method.lossyString, path: x.path.lossyString,
                        status: x.status, bytes: x.bytes, host: x.host?.lossyString))
    }
    for p in packets {
        p.frame.withUnsafeBytes { r.process(time: p.time, frame: $0, sink: sink) }
    }
    r.finish(sink: sink)
    return (out, r.report)
}
