import ConflictWatchCapture
import ConflictWatchCore

/// The packet branch of `SourceIngestor`: a pcap or pcapng input (plain, gzip or stdin) read
/// through `PcapFileReader` or libpcap and the exchange reconstructor. The `Int` handed to
/// `onExchange` is the flow number, so `parse` sources read `file.pcap:<flow>`; `lines` counts
/// packets.
enum CaptureIngestor {
    static func run(
        path: String, kind: InputKind, compressed: Bool, source: any ByteSource, initial: [UInt8],
        configuration: CaptureConfiguration,
        progress: (UInt64, Int) -> Void,
        onExchange: (inout ExchangeView, Int) -> Void
    ) -> SourceReport {
        var report = SourceReport(source: path, format: (kind == .pcapng ? "pcapng" : "pcap") + (compressed ? "+gzip" : ""))
        let stream = ByteSourceStream(source: source, initial: initial)
        var exchanges: UInt64 = 0
        let reader = OfflineCaptureReader(configuration: configuration)
        func count(_ x: inout ExchangeView, _ flow: Int) {
            exchanges &+= 1
            onExchange(&x, flow)
        }
        let result: OfflineCaptureReader.Result
        var direct = false
        var header: [UInt8] = []
        if kind == .pcap, let file = PcapFileReader.open(stream, header: &header) {
            // Classic pcap, the common case, is read without libpcap (`PcapFileReader`).
            result = reader.run(file, progress: { progress(source.bytesConsumed, Int($0)) }, onExchange: count)
        } else {
            // libpcap reads the rest: pcapng, unusual classic files, a file that ends in its
            // header. A plain file by path (one copy less than through the stream); stdin and
            // gzip through the stream, the header's bytes first.
            direct = !compressed && path != "-" && source.totalBytes != nil
            stream.unread(header)
            let handle: PcapHandle
            do {
                handle = direct ? try PcapHandle.open(path: path) : try PcapHandle.open(stream: stream, name: path)
            } catch {
                report.error = error.description
                report.bytes = source.bytesConsumed
                return report
            }
            let byPath = direct
            result = reader.run(handle, progress: { progress(byPath ? handle.fileOffset ?? 0 : source.bytesConsumed, Int($0)) }, onExchange: count)
        }
        report.lines = result.report.packets
        report.exchanges = exchanges
        report.capture = result.report
        report.bytes = direct ? source.totalBytes ?? 0 : source.bytesConsumed
        // A stream failure (truncated gzip) explains libpcap's "truncated dump file" better.
        if let e = stream.failure ?? result.error { report.error = "\(path): \(e); exchanges before it were used" }
        return report
    }
}

/// Feeds a capture reader (`PcapFileReader` or libpcap) the bytes already sniffed from a source,
/// then the rest of it.
final class ByteSourceStream: CaptureByteStream {
    private var source: any ByteSource
    private var initial: [UInt8]
    private var initialOffset = 0
    private(set) var failure: String? = nil

    init(source: any ByteSource, initial: [UInt8]) {
        self.source = source
        self.initial = initial
    }

    /// Gives `bytes` (just read) back, to be read again before the rest.
    func unread(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        initial = bytes + initial[initialOffset...]
        initialOffset = 0
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        if initialOffset < initial.count {
            let n = min(buffer.count, initial.count - initialOffset)
            initial.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + initialOffset, byteCount: n)
            }
            initialOffset += n
            return n
        }
        do {
            return try source.read(into: buffer)
        } catch {
            failure = Self.reason(error)
            return -1
        }
    }

    private static func reason(_ e: IngestError) -> String {
        switch e {
        case .truncatedGzip: "gzip stream ends early (truncated file?)"
        case .corruptGzip(_, let r): "corrupt gzip data (\(r))"
        case .readFailed(_, let r), .cannotOpen(_, let r), .unsupportedInput(_, let r): r
        }
    }
}
