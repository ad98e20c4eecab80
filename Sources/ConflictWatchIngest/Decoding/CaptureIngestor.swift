import ConflictWatchCapture
import ConflictWatchCore

/// The packet branch of `SourceIngestor`: a pcap or pcapng input (plain, gzip or stdin) read
/// through libpcap and the exchange reconstructor. The `Int` handed to `onExchange` is the
/// flow number, so `parse` sources read `file.pcap:<flow>`; `lines` counts packets.
enum CaptureIngestor {
    static func run(
        path: String, kind: InputKind, compressed: Bool, source: any ByteSource, initial: [UInt8],
        configuration: CaptureConfiguration,
        progress: (UInt64, Int) -> Void,
        onExchange: (inout ExchangeView, Int) -> Void
    ) -> SourceReport {
        var report = SourceReport(source: path, format: (kind == .pcapng ? "pcapng" : "pcap") + (compressed ? "+gzip" : ""))
        let stream = ByteSourceStream(source: source, initial: initial)
        // A plain file is handed to libpcap by path (one copy less than through the stream);
        // stdin and gzip go through the stream.
        let direct = !compressed && path != "-" && source.totalBytes != nil
        let handle: PcapHandle
        do {
            handle = direct ? try PcapHandle.open(path: path) : try PcapHandle.open(stream: stream, name: path)
        } catch {
            report.error = error.description
            report.bytes = source.bytesConsumed
            return report
        }
        func consumed() -> UInt64 { direct ? handle.fileOffset ?? 0 : source.bytesConsumed }
        var exchanges: UInt64 = 0
        let result = OfflineCaptureReader(configuration: configuration).run(
            handle, progress: { packets in progress(consumed(), Int(packets)) }
        ) { x, flow in
            exchanges &+= 1
            onExchange(&x, flow)
        }
        report.lines = result.report.packets
        report.exchanges = exchanges
        report.capture = result.report
        report.bytes = direct ? source.totalBytes ?? consumed() : source.bytesConsumed
        // A stream failure (truncated gzip) explains libpcap's "truncated dump file" better.
        if let e = stream.failure ?? result.error { report.error = "\(path): \(e); exchanges before it were used" }
        return report
    }
}

/// Feeds libpcap the bytes already sniffed from a source, then the rest of it.
final class ByteSourceStream: CaptureByteStream {
    private var source: any ByteSource
    private let initial: [UInt8]
    private var initialOffset = 0
    private(set) var failure: String? = nil

    init(source: any ByteSource, initial: [UInt8]) {
        self.source = source
        self.initial = initial
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
