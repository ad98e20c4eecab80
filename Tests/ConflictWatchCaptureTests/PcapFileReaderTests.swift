import Foundation
import Testing
@testable import ConflictWatchCapture

/// Classic pcap files are read without libpcap (`PcapFileReader`); libpcap is the reference.
/// Every file here is read by both, from the same bytes, and must give the same packets (time,
/// bytes, length on the wire) and end the same way (the end, or the same message).
@Suite struct PcapFileReaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pcap")

    struct Packet: Equatable, CustomStringConvertible {
        var time: Int64
        var bytes: [UInt8]
        var wire: Int
        var description: String { "t=\(time) caplen=\(bytes.count) wire=\(wire)" }
    }

    /// Every packet, then "end" or the failure's message.
    static func drain(_ source: some CapturePacketSource) -> (packets: [Packet], outcome: String) {
        var packets: [Packet] = []
        while true {
            switch source.next() {
            case .packet(let time, let data, let wire): packets.append(Packet(time: time, bytes: Array(data), wire: wire))
            case .timeout: continue
            case .end: return (packets, "end")
            case .failure(let message): return (packets, message)
            }
        }
    }

    static func ours(_ bytes: [UInt8], chunks: ClosedRange<Int>? = nil, filter: String? = nil) throws -> (packets: [Packet], outcome: String) {
        var header: [UInt8] = []
        let reader = try #require(PcapFileReader.open(MemoryStream(bytes, chunks: chunks), header: &header))
        if let filter { try reader.setFilter(filter) }
        return drain(reader)
    }

    static func libpcap(_ bytes: [UInt8], filter: String? = nil) throws -> (packets: [Packet], outcome: String) {
        let handle = try PcapHandle.open(stream: MemoryStream(bytes), name: "memory")
        if let filter { try handle.setFilter(filter) }
        return drain(handle)
    }

    static func expectSame(_ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let a = try ours(bytes), b = try libpcap(bytes)
        #expect(a.outcome == b.outcome, "\(label)", sourceLocation: sourceLocation)
        #expect(a.packets.count == b.packets.count, "\(label)", sourceLocation: sourceLocation)
        if let i = zip(a.packets, b.packets).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("\(label): packet \(i) differs: \(a.packets[i]) vs libpcap \(b.packets[i])", sourceLocation: sourceLocation)
        }
    }

    @Test("the test capture reads the same as through libpcap, whole and in odd chunks")
    func fixtureMatchesLibpcap() throws {
        let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("api-keepalive.pcap")))
        let reference = try Self.libpcap(bytes)
        #expect(reference.packets.count == 201 && reference.outcome == "end")
        try Self.expectSame(bytes, "api-keepalive.pcap")
        for chunks in [1...1, 1...7, 100...3000] {
            let chunked = try Self.ours(bytes, chunks: chunks)
            #expect(chunked.packets == reference.packets, "chunks \(chunks)")
            #expect(chunked.outcome == "end")
        }
    }

    @Test("a filter passes the packets libpcap's passes")
    func filterMatchesLibpcap() throws {
        let bytes = Array(try Data(contentsOf: Self.fixtures.appendingPathComponent("api-keepalive.pcap")))
        for filter in ["tcp[tcpflags] & tcp-push != 0", "src port 80", "host 10.1.0.3", "udp"] {
            let a = try Self.ours(bytes, filter: filter), b = try Self.libpcap(bytes, filter: filter)
            #expect(a.packets == b.packets, "\(filter)")
            #expect(a.packets.count < 201, "\(filter) filters nothing")
        }
        #expect(try Self.ours(bytes, filter: "src port 80").packets.count > 0)
        var header: [UInt8] = []
        let reader = try #require(PcapFileReader.open(MemoryStream(bytes), header: &header))
        #expect(throws: PcapError.self) { try reader.setFilter("port nonsense") }
    }

    @Test("byte orders, nanoseconds, odd timestamps, cut records, damaged lengths and truncation read as libpcap reads them", arguments: 0..<4)
    func generatedFilesMatchLibpcap(seed: UInt64) throws {
        var rng = SplitMix64(state: 0x9CA9 &+ seed)
        for file in 0..<60 {
            let swapped = rng.below(2) == 1, nanos = rng.below(2) == 1
            let snaplen = [0, 65_535, 96, 262_144, 400_000, 1_500][rng.below(6)]
            var builder = PcapFileBuilder(swapped: swapped, nanoseconds: nanos, snaplen: UInt32(snaplen))
            for _ in 0..<rng.below(40) {
                let roll = rng.below(100)
                let captured = roll < 80 ? rng.below(1_600) : roll < 97 ? 1_500 + rng.below(4_000) : roll < 99 ? 262_145 + rng.below(10) : 200_000
                // Timestamps of every shape: the sign bit set, sub-seconds beyond a second.
                let seconds = rng.below(4) == 0 ? UInt32(truncatingIfNeeded: rng.next()) : 1_700_000_000 + UInt32(rng.below(1_000))
                let fraction = rng.below(8) == 0 ? UInt32(truncatingIfNeeded: rng.next()) : UInt32(rng.below(nanos ? 1_000_000_000 : 1_000_000))
                let wire = rng.below(3) == 0 ? UInt32(truncatingIfNeeded: rng.next()) : UInt32(captured + rng.below(10))
                builder.record(seconds: seconds, fraction: fraction, captured: captured, wire: wire, rng: &rng)
            }
            var bytes = builder.bytes
            if rng.below(3) == 0, bytes.count > 24 { bytes.removeLast(1 + rng.below(bytes.count - 24)) }
            try Self.expectSame(bytes, "seed \(seed) file \(file): swapped \(swapped) nanos \(nanos) snaplen \(snaplen), \(bytes.count) bytes")
        }
    }

    @Test("records straddle the buffer's refills: every packet of a file several buffers long")
    func longFileMatchesLibpcap() throws {
        var rng = SplitMix64(state: 7)
        var builder = PcapFileBuilder(swapped: false, nanoseconds: false, snaplen: 262_144)
        while builder.bytes.count < 3 * PcapFileReader.bufferSize {
            let captured = rng.below(10) == 0 ? 100_000 + rng.below(162_144) : rng.below(1_514)
            builder.record(seconds: 1_700_000_000, fraction: UInt32(rng.below(1_000_000)), captured: captured, wire: UInt32(captured), rng: &rng)
        }
        try Self.expectSame(builder.bytes, "long file")
        let whole = try Self.ours(builder.bytes), chunked = try Self.ours(builder.bytes, chunks: 1...70_000)
        #expect(whole.packets == chunked.packets)
        #expect(whole.packets.count > 100)
    }

    @Test("files it does not take are left to libpcap, with the bytes it read")
    func unusualFilesAreLeftToLibpcap() throws {
        func header(_ edit: (inout PcapFileBuilder) -> Void) -> [UInt8] {
            var b = PcapFileBuilder(swapped: false, nanoseconds: false, snaplen: 65_535)
            edit(&b)
            return b.bytes
        }
        let cases: [(String, [UInt8])] = [
            ("version 2.3", header { $0.bytes[6] = 3 }),
            ("FCS bits in the link type", header { $0.bytes[23] = 0x10 }),
            ("link type 147", header { $0.bytes[20] = 147 }),
            ("byte-swapped NFLOG", PcapFileBuilder(swapped: true, nanoseconds: false, snaplen: 65_535, linkType: 239).bytes),
            ("pcapng", [0x0A, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 0, count: 24)),
            ("ends in its header", Array(header { _ in }.prefix(10))),
        ]
        for (label, bytes) in cases {
            var read: [UInt8] = []
            #expect(PcapFileReader.open(MemoryStream(bytes), header: &read) == nil, "\(label)")
            #expect(read.count >= min(24, bytes.count) && read == Array(bytes.prefix(read.count)), "\(label)")
        }
        // The ones it does take: LINKTYPE_RAW is DLT_RAW; NFLOG in this byte order.
        var read: [UInt8] = []
        let raw = PcapFileBuilder(swapped: false, nanoseconds: true, snaplen: 0, linkType: 101).bytes
        #expect(PcapFileReader.open(MemoryStream(raw), header: &read)?.format.dlt == 12)
        #expect(PcapFileReader.open(MemoryStream(PcapFileBuilder(swapped: false, nanoseconds: false, snaplen: 0, linkType: 239).bytes), header: &read)?.linkType == .nflog)
    }

    @Test("a stream that fails mid-file stops the reading after the packets before it")
    func streamFailureStops() throws {
        var rng = SplitMix64(state: 3)
        var builder = PcapFileBuilder(swapped: false, nanoseconds: false, snaplen: 65_535)
        for _ in 0..<10 { builder.record(seconds: 1, fraction: 2, captured: 100, wire: 100, rng: &rng) }
        let stream = MemoryStream(builder.bytes, chunks: 116...116, failAfter: 24 + 116 * 4)
        var header: [UInt8] = []
        let reader = try #require(PcapFileReader.open(stream, header: &header))
        let result = Self.drain(reader)
        #expect(result.packets.count == 4)
        #expect(result.outcome == "error reading dump file")
        let after = reader.next()
        #expect({ if case .end = after { true } else { false } }(), "a failed reader ends")
    }
}

/// A classic pcap file built in memory, in either byte order.
struct PcapFileBuilder {
    var bytes: [UInt8] = []
    let swapped: Bool

    init(swapped: Bool, nanoseconds: Bool, snaplen: UInt32, linkType: UInt32 = 1) {
        self.swapped = swapped
        u32(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4)
        u16(2); u16(4); u32(0); u32(0); u32(snaplen); u32(linkType)
    }

    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: swapped ? v.bigEndian : v.littleEndian) { bytes += $0 } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: swapped ? v.bigEndian : v.littleEndian) { bytes += $0 } }

    mutating func record(seconds: UInt32, fraction: UInt32, captured: Int, wire: UInt32, rng: inout SplitMix64) {
        u32(seconds); u32(fraction); u32(UInt32(captured)); u32(wire)
        let start = bytes.count
        bytes += repeatElement(0, count: captured)
        for i in stride(from: start, to: bytes.count, by: 8) { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
    }
}

/// Bytes in memory as a capture stream, handed out `chunks` bytes per read (all that fit when
/// nil), failing once `failAfter` bytes were read.
final class MemoryStream: CaptureByteStream {
    private let bytes: [UInt8]
    private var offset = 0
    private let chunks: ClosedRange<Int>?
    private let failAfter: Int?
    private var rng = SplitMix64(state: 11)
    private(set) var failure: String? = nil

    init(_ bytes: [UInt8], chunks: ClosedRange<Int>? = nil, failAfter: Int? = nil) {
        self.bytes = bytes
        self.chunks = chunks
        self.failAfter = failAfter
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if let failAfter, offset >= failAfter {
            failure = "device gone"
            return -1
        }
        var n = min(buffer.count, bytes.count - offset)
        if let chunks { n = min(n, chunks.lowerBound + rng.below(chunks.count)) }
        if let failAfter { n = min(n, failAfter - offset) }
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}
