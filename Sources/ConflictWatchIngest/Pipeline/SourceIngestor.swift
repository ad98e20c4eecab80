import ConflictWatchCore

/// Reads one input to its end through the line reader and a log parser, handing every exchange
/// to `onExchange` and accounting the rest (blank lines, malformed lines with samples, errors).
/// Everything runs synchronously on the caller's thread: one pipeline, one owner.
public struct SourceIngestor {
    public var format: LogFormat
    public var maxLineLength: Int

    public init(format: LogFormat, maxLineLength: Int = 65_536) {
        self.format = format
        self.maxLineLength = maxLineLength
    }

    public func run(
        path: String,
        progress: (UInt64, Int) -> Void = { _, _ in },
        onExchange: (inout ExchangeView, Int) -> Void
    ) -> SourceReport {
        var report = SourceReport(source: path, format: format.description)
        var source: any ByteSource
        let initial: [UInt8]
        do {
            let opened = try InputOpener.open(path)
            guard opened.kind == .text || opened.kind == .gzip else {
                report.error = IngestError.unsupportedInput(
                    path: path, reason: "this is a \(opened.kind == .pcap ? "pcap" : "pcapng") capture; packet input is not supported by this build yet").description
                return report
            }
            source = opened.source
            initial = opened.initial
        } catch {
            report.error = error.description
            return report
        }
        var parser = LogParser(format: format, maxLineLength: maxLineLength)
        var x = ExchangeView()
        let reader = LineReader(maxLineLength: maxLineLength)
        do {
            try reader.run(&source, initial: initial, chunk: progress) { line, event, number in
                report.lines &+= 1
                switch event {
                case .tooLong:
                    Self.malformed(&report, .lineTooLong, line, number)
                case .line:
                    if Self.isBlank(line) {
                        report.blank &+= 1
                        return
                    }
                    switch parser.parse(line, into: &x) {
                    case .exchange:
                        report.exchanges &+= 1
                        onExchange(&x, number)
                    case .malformed(let reason):
                        Self.malformed(&report, reason, line, number)
                    }
                }
            }
        } catch {
            report.error = error.description
        }
        report.bytes = source.bytesConsumed
        return report
    }

    @inline(__always)
    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for b in line where b != 0x20 && b != 0x09 { return false }
        return true
    }

    static func malformed(_ report: inout SourceReport, _ reason: MalformedReason, _ line: UnsafeRawBufferPointer, _ number: Int) {
        report.malformed &+= 1
        report.malformedReasons[reason.message, default: 0] &+= 1
        if report.samples.count < SourceReport.maxSamples {
            let cut = UnsafeRawBufferPointer(start: line.baseAddress, count: min(line.count, 200))
            report.samples.append(MalformedSample(line: number, reason: reason.message, text: cut.lossyString))
        }
    }
}
