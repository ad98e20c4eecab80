import ConflictWatchCore

/// The one step from a framed line to an exchange, for every source (files, stdin, gzip and
/// followed files): blank lines are counted and skipped, overlong and unparsable ones counted
/// as malformed with their reason and a sample, the rest parsed. Its counts are a
/// `SourceReport`'s, so the offline report and the daemon's status count lines the same way.
public struct LineDecoder {
    private var parser: LogParser

    public init(format: LogFormat, maxLineLength: Int = LineLimits.defaultMaxLineLength) {
        parser = LogParser(format: format, maxLineLength: maxLineLength)
    }

    /// Accounts line `number` in `report`; true when `exchange` now holds its exchange.
    @inline(__always)
    public mutating func decode(
        _ line: UnsafeRawBufferPointer, _ event: LineFramer.Event, number: Int,
        into exchange: inout ExchangeView, report: inout SourceReport
    ) -> Bool {
        report.lines &+= 1
        guard event == .line else {
            Self.malformed(&report, .lineTooLong, line, number)
            return false
        }
        if Self.isBlank(line) {
            report.blank &+= 1
            return false
        }
        switch parser.parse(line, into: &exchange) {
        case .exchange:
            report.exchanges &+= 1
            return true
        case .malformed(let reason):
            Self.malformed(&report, reason, line, number)
            return false
        }
    }

    /// Only spaces and tabs: not a request, and not malformed either.
    @inline(__always)
    public static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        for b in line where b != 0x20 && b != 0x09 { return false }
        return true
    }

    static func malformed(_ report: inout SourceReport, _ reason: MalformedReason, _ line: UnsafeRawBufferPointer, _ number: Int) {
        report.malformed &+= 1
        report.malformedReasons[reason.message, default: 0] &+= 1
        if report.samples.count < SourceReport.maxSamples {
            let cut = UnsafeRawBufferPointer(start: line.baseAddress, count: min(line.count, LineLimits.sampleLength))
            report.samples.append(MalformedSample(line: number, reason: reason.message, text: cut.lossyString))
        }
    }
}
