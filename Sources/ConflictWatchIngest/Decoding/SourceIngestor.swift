import ConflictWatchCapture
import ConflictWatchCore

/// Reads one input to its end through the line reader and the line decoder, handing every
/// exchange to `onExchange` and accounting the rest (blank lines, malformed lines with samples, errors).
/// Everything runs synchronously on the caller's thread: one pipeline, one owner.
public struct SourceIngestor {
    public var format: LogFormat
    public var maxLineLength: Int
    /// Bounds and choices for pcap/pcapng inputs.
    public var capture: CaptureConfiguration

    public init(format: LogFormat, maxLineLength: Int = LineLimits.defaultMaxLineLength, capture: CaptureConfiguration = CaptureConfiguration()) {
        self.format = format
        self.maxLineLength = maxLineLength
        self.capture = capture
    }

    public func run(
        path: String,
        progress: (UInt64, Int) -> Void = { _, _ in },
        onExchange: (inout ExchangeView, Int) -> Void
    ) -> SourceReport {
        var report = SourceReport(source: path, format: format.description)
        var source: any ByteSource
        var initial: [UInt8]
        do {
            let opened = try InputOpener.open(path)
            source = opened.source
            initial = opened.initial
            var kind = opened.kind
            if kind == .gzip {
                // A gzip member may hold a capture (zeek ships .pcap.gz): look inside.
                initial = try Self.peek(&source, count: 4)
                let inner = InputOpener.sniff(initial)
                if inner == .pcap || inner == .pcapng { kind = inner }
            }
            if kind == .pcap || kind == .pcapng {
                return CaptureIngestor.run(
                    path: path, kind: kind, compressed: opened.kind == .gzip, source: source, initial: initial,
                    configuration: capture, progress: progress, onExchange: onExchange)
            }
        } catch {
            report.error = error.description
            return report
        }
        var decoder = LineDecoder(format: format, maxLineLength: maxLineLength)
        var x = ExchangeView()
        let reader = LineReader(maxLineLength: maxLineLength)
        do {
            try reader.run(&source, initial: initial, chunk: progress) { line, event, number in
                if decoder.decode(line, event, number: number, into: &x, report: &report) {
                    onExchange(&x, number)
                }
            }
        } catch {
            report.error = error.description
        }
        report.bytes = source.bytesConsumed
        return report
    }

    /// The first `count` bytes of a source (fewer at its end).
    static func peek(_ source: inout any ByteSource, count: Int) throws(IngestError) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: count - got, alignment: 1)
            defer { scratch.deallocate() }
            let n = try source.read(into: scratch)
            for k in 0..<n { head[got + k] = scratch[k] }
            if n == 0 { break }
            got += n
        }
        return Array(head[0..<got])
    }
}
