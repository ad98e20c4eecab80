import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a classic pcap file (`PcapFileFormat`) from a byte stream without libpcap: a megabyte at
/// a time into one buffer, records handed out in place. Through libpcap each packet took two
/// locked `fread`s and a copy out of stdio's buffer on the thread that also reassembles TCP,
/// which is the busier of a capture's two threads. Filters still run through libpcap's
/// compiler and BPF interpreter (`pcap_offline_filter`), with the same results.
public final class PcapFileReader: CapturePacketSource {
    public let format: PcapFileFormat
    private let decoder: PcapRecordDecoder
    private let stream: any CaptureByteStream
    private let buffer: UnsafeMutableRawBufferPointer
    /// Where reading is; `next()` works on a copy and stores it back once, so the per-packet
    /// path pays one exclusivity check on the class's state, not one per field access.
    private struct Cursor {
        /// Unread bytes are `buffer[start..<end]`.
        var start: Int
        var end: Int
        var finished = false
        /// The stream failed (its `failure` says why) rather than ended.
        var failed = false
    }

    private var cursor: Cursor
    private var filter: (dead: OpaquePointer, program: UnsafeMutablePointer<bpf_program>)?
    private var header = pcap_pkthdr()

    /// Large enough for a record of the largest captured length and its header.
    public static let bufferSize = 1 << 20

    public var linkType: LinkType { format.linkType }

    /// Reads the file header from `stream`. Nil, with the header's bytes in `header`, when the
    /// file is not one this reader takes (libpcap should read it, those bytes first) or ends
    /// inside its header.
    public static func open(_ stream: any CaptureByteStream, header: inout [UInt8]) -> PcapFileReader? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        var filled = 0
        while filled < PcapFileFormat.headerSize {
            let n = stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n <= 0 { break }
            filled += n
        }
        guard let format = PcapFileFormat(header: UnsafeRawBufferPointer(rebasing: buffer[..<filled])) else {
            header = Array(buffer[..<filled])
            buffer.deallocate()
            return nil
        }
        return PcapFileReader(format: format, stream: stream, buffer: buffer, start: PcapFileFormat.headerSize, end: filled)
    }

    private init(format: PcapFileFormat, stream: any CaptureByteStream, buffer: UnsafeMutableRawBufferPointer, start: Int, end: Int) {
        self.format = format
        decoder = PcapRecordDecoder(format: format)
        self.stream = stream
        self.buffer = buffer
        cursor = Cursor(start: start, end: end)
    }

    deinit {
        buffer.deallocate()
        if let filter { Self.release(filter) }
    }

    private static func release(_ filter: (dead: OpaquePointer, program: UnsafeMutablePointer<bpf_program>)) {
        pcap_freecode(filter.program)
        filter.program.deallocate()
        pcap_close(filter.dead)
    }

    public func setFilter(_ expression: String) throws(PcapError) {
        guard let dead = pcap_open_dead(format.dlt, Int32(format.snapshot)) else {
            throw PcapError(.badFilter, "filter '\(expression)' cannot be compiled: out of memory")
        }
        let program = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
        program.initialize(to: bpf_program())
        guard pcap_compile(dead, program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            let message = String(cString: pcap_geterr(dead))
            program.deallocate()
            pcap_close(dead)
            throw PcapError(.badFilter, "filter '\(expression)' does not compile: \(message)")
        }
        if let old = filter { Self.release(old) }
        filter = (dead, program)
    }

    @inline(__always)
    public func next() -> PcapHandle.ReadResult {
        var c = cursor
        defer { cursor = c }
        let filter = filter
        while true {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<c.end])
            switch decoder.decode(bytes, at: c.start) {
            case .packet(let time, let data, let wire, let next):
                c.start = next
                let packet = UnsafeRawBufferPointer(rebasing: bytes[data])
                if let filter, !passes(filter.program, packet, wire: wire) { continue }
                return .packet(time: time, data: packet, wireLength: wire)
            case .needMore(let needed):
                if c.finished { return finish(&c) }
                refill(&c, needing: needed)
            case .damaged(let message):
                c.finished = true
                c.start = c.end
                return .failure(message)
            }
        }
    }

    /// Moves the unfinished record to the front and reads until `needed` bytes of it are
    /// there, as much as the buffer holds per read. Bytes consumed are the stream's to count.
    private func refill(_ c: inout Cursor, needing needed: Int) {
        if c.start > 0 {
            let unread = c.end - c.start
            if unread > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + c.start, byteCount: unread) }
            c.start = 0
            c.end = unread
        }
        while c.end < needed {
            let n = stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[c.end...]))
            guard n > 0 else {
                c.finished = true
                c.failed = n < 0
                return
            }
            c.end += n
        }
    }

    private func finish(_ c: inout Cursor) -> PcapHandle.ReadResult {
        if c.failed {
            c.failed = false
            c.start = c.end
            return .failure("error reading dump file")
        }
        guard c.start < c.end else { return .end }
        let message = decoder.truncation(UnsafeRawBufferPointer(rebasing: buffer[..<c.end]), at: c.start)
        c.start = c.end
        return .failure(message)
    }

    private func passes(_ program: UnsafeMutablePointer<bpf_program>, _ packet: UnsafeRawBufferPointer, wire: Int) -> Bool {
        header.caplen = UInt32(packet.count)
        header.len = UInt32(truncatingIfNeeded: wire)
        return pcap_offline_filter(program, &header, packet.baseAddress!.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
