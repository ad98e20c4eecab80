/// Opens an input path ("-" = stdin) and recognises its content by magic bytes, not by name:
/// gzip is inflated on the fly; pcap/pcapng are recognised (the capture reader handles them).
public enum InputKind: Equatable, Sendable {
    case text, gzip, pcap, pcapng
}

public enum InputOpener {
    /// The source to read lines from, and what the content was recognised as.
    public static func open(_ path: String) throws(IngestError) -> (source: any ByteSource, kind: InputKind, initial: [UInt8]) {
        let file = try FileSource(path: path)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 4)
        defer { scratch.deallocate() }
        var got = 0
        while got < 4 {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[got...]))
            if n == 0 { break }
            got += n
        }
        let head = Array(scratch[0..<got])
        let kind = sniff(head)
        if kind == .gzip {
            return (try GzipSource(upstream: file, path: path, initial: head), .gzip, [])
        }
        return (file, kind, head)
    }

    public static func sniff(_ head: [UInt8]) -> InputKind {
        if head.count >= 2, head[0] == 0x1F, head[1] == 0x8B { return .gzip }
        if head.count >= 4 {
            let le = UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24
            switch le {
            case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
            case 0x0A0D_0D0A: return .pcapng
            default: break
            }
        }
        return .text
    }
}
