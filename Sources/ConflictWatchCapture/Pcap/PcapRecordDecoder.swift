/// Cuts classic pcap records out of bytes in memory, in place: no copy, no I/O. It answers what
/// libpcap's reader would (`sf-pcap.c`): a captured length beyond the link type's maximum is a
/// damaged file; one beyond the file's snapshot length (and within the maximum) is cut to it;
/// bytes that end inside a record are a truncated file, with libpcap's message.
public struct PcapRecordDecoder: Sendable {
    public let format: PcapFileFormat

    public init(format: PcapFileFormat) {
        self.format = format
    }

    public enum Step: Equatable {
        /// A packet: its captured bytes are `data` of the buffer; the next record starts at `next`.
        case packet(time: Int64, data: Range<Int>, wireLength: Int, next: Int)
        /// The record at the offset is not whole yet: `needed` bytes from the offset make it whole.
        case needMore(needed: Int)
        /// The file is damaged here; reading stops with this message.
        case damaged(String)
    }

    /// The record at `offset` of `bytes`.
    @inline(__always)
    public func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Step {
        let available = bytes.count &- offset
        guard available >= PcapFileFormat.recordHeaderSize else {
            return .needMore(needed: PcapFileFormat.recordHeaderSize)
        }
        let header = format.recordHeader(bytes.baseAddress! + offset)
        let captured = Int(header.captured)
        if captured > PcapFileFormat.maximumSnapshot {
            return .damaged(captured > format.snapshot
                ? "invalid packet capture length \(captured), bigger than snaplen of \(format.snapshot)"
                : "invalid packet capture length \(captured), bigger than maximum of \(PcapFileFormat.maximumSnapshot)")
        }
        let whole = PcapFileFormat.recordHeaderSize &+ captured
        guard available >= whole else { return .needMore(needed: whole) }
        let start = offset &+ PcapFileFormat.recordHeaderSize
        return .packet(
            time: header.time, data: start..<(start &+ min(captured, format.snapshot)),
            wireLength: Int(header.wire), next: offset &+ whole)
    }

    /// Why a file that ends with `available` bytes of an unfinished record (more than none) is
    /// damaged, in libpcap's words: a record captured longer than the snapshot is read up to
    /// the snapshot first, then the rest.
    public func truncation(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> String {
        let available = bytes.count - offset
        guard available >= PcapFileFormat.recordHeaderSize else {
            return "truncated dump file; tried to read \(PcapFileFormat.recordHeaderSize) header bytes, only got \(available)"
        }
        let captured = Int(format.recordHeader(bytes.baseAddress! + offset).captured)
        let got = available - PcapFileFormat.recordHeaderSize
        let tried = captured > format.snapshot && got < format.snapshot ? format.snapshot : captured
        return "truncated dump file; tried to read \(tried) captured bytes, only got \(got)"
    }
}
