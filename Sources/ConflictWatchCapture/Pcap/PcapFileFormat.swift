/// What a classic pcap file's 24-byte header says, for the files `PcapFileReader` reads without
/// libpcap: version 2.4, micro- or nanosecond timestamps in either byte order, a link type the
/// reconstructor decodes and no FCS bits (NFLOG only in the reader's byte order). Anything else
/// (pcapng, the lengths-swapped 2.3 and older versions, the modified Kuznetzov and Nokia
/// formats, other link types) stays with libpcap, which knows all of them; `init` returns nil
/// for those.
public struct PcapFileFormat: Equatable, Sendable {
    public static let headerSize = 24
    /// A record's header: seconds, sub-seconds, captured length, length on the wire.
    public static let recordHeaderSize = 16
    /// libpcap's `max_snaplen_for_dlt` for every link type read here; a larger captured length is
    /// a damaged file.
    public static let maximumSnapshot = 262_144

    public var byteSwapped: Bool
    public var nanoseconds: Bool
    /// The header's snapshot length as libpcap 1.10 adjusts it: 0, or more than `Int32.max`, means
    /// the maximum. Records captured longer (and within the maximum) are cut to it.
    public var snapshot: Int
    /// libpcap's DLT_ value (`pcap_datalink`) for the file's LINKTYPE_, for filters.
    public var dlt: Int32

    public var linkType: LinkType { LinkType(dlt: dlt) }

    public init?(header: UnsafeRawBufferPointer) {
        guard header.count >= Self.headerSize else { return nil }
        let raw = header.loadUnaligned(as: UInt32.self)
        switch UInt32(littleEndian: raw) {
        case 0xA1B2_C3D4: (byteSwapped, nanoseconds) = (false, false)
        case 0xA1B2_3C4D: (byteSwapped, nanoseconds) = (false, true)
        case 0xD4C3_B2A1: (byteSwapped, nanoseconds) = (true, false)
        case 0x4D3C_B2A1: (byteSwapped, nanoseconds) = (true, true)
        default: return nil
        }
        let swapped = byteSwapped
        func u16(_ at: Int) -> UInt16 {
            let v = UInt16(littleEndian: header.loadUnaligned(fromByteOffset: at, as: UInt16.self))
            return swapped ? v.byteSwapped : v
        }
        func u32(_ at: Int) -> UInt32 {
            let v = UInt32(littleEndian: header.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            return swapped ? v.byteSwapped : v
        }
        guard u16(4) == 2, u16(6) == 4 else { return nil }
        let linkField = u32(20)
        // The top six bits carry FCS lengths (LT_LINKTYPE_EXT); libpcap handles those files.
        guard linkField & 0xFC00_0000 == 0 else { return nil }
        switch linkField {
        case 0, 1, 108, 113, 228, 229, 276: dlt = Int32(linkField)
        // libpcap turns NFLOG's host-order TLV lengths around in byte-swapped files.
        case 239 where !swapped: dlt = 239
        case 101: dlt = 12  // LINKTYPE_RAW is DLT_RAW, 12 on Linux
        default: return nil
        }
        let snap = u32(16)
        snapshot = snap == 0 || snap > UInt32(Int32.max) ? Self.maximumSnapshot : Int(snap)
    }

    /// One record's header read in place. `time` is in microseconds like libpcap's at micro
    /// precision, with libpcap 1.10's quirk kept (the same file gives the same times either
    /// way): the 32-bit fields are signed in a file of the reader's byte order and unsigned in a
    /// byte-swapped one (`SWAPLONG` yields an unsigned value); nanoseconds are divided down,
    /// truncating.
    @inline(__always)
    func recordHeader(_ p: UnsafeRawPointer) -> (time: Int64, captured: UInt32, wire: UInt32) {
        var seconds = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))
        var fraction = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var captured = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        var wire = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let wholeSeconds: Int64, micros: Int64
        if byteSwapped {
            seconds = seconds.byteSwapped
            fraction = fraction.byteSwapped
            captured = captured.byteSwapped
            wire = wire.byteSwapped
            wholeSeconds = Int64(seconds)
            micros = nanoseconds ? Int64(fraction) / 1000 : Int64(fraction)
        } else {
            wholeSeconds = Int64(Int32(bitPattern: seconds))
            let signed = Int64(Int32(bitPattern: fraction))
            micros = nanoseconds ? signed / 1000 : signed
        }
        return (wholeSeconds &* 1_000_000 &+ micros, captured, wire)
    }
}
