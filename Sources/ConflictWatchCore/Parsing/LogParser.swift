/// Turns one access-log line into an `ExchangeView` according to a `LogFormat`. One instance
/// per source: it caches time stamps and owns the scratch memory for decoded JSON strings.
public struct LogParser {
    public let format: LogFormat
    private var clf = CombinedLogParser()
    private var json: JSONLogParser
    private var envoy = EnvoyTextParser()
    private var custom: NginxFormatParser?

    public init(format: LogFormat, maxLineLength: Int = LineLimits.defaultMaxLineLength) {
        self.format = format
        json = JSONLogParser(maxLineLength: maxLineLength)
        if case .nginx(let f) = format { custom = NginxFormatParser(format: f) }
    }

    @inline(__always)
    public mutating func parse(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView) -> ParseOutcome {
        switch format {
        case .combined, .common:
            return clf.parse(line, into: &x)
        case .json:
            if let outcome = parseJSONLine(line, into: &x) { return outcome }
            if let inner = ContainerPrefix.strip(line), let outcome = parseJSONLine(inner, into: &x) { return outcome }
            return .malformed(.invalidJSON)
        case .nginx:
            return custom!.parse(line, into: &x)
        case .auto:
            return parseAuto(line, into: &x, stripped: false)
        }
    }

    @inline(__always)
    private mutating func parseJSONLine(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView) -> ParseOutcome? {
        guard line.count > 0, line[0] == ASCII.openBrace else { return nil }
        return json.parse(line, into: &x)
    }

    private mutating func parseAuto(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView, stripped: Bool) -> ParseOutcome {
        guard line.count > 0 else { return .malformed(.notAccessLog) }
        if line[0] == ASCII.openBrace { return json.parse(line, into: &x) }
        let first = clf.parse(line, into: &x)
        if first == .exchange { return first }
        if line[0] == ASCII.openBracket, envoy.parse(line, into: &x) == .exchange { return .exchange }
        if !stripped, let inner = ContainerPrefix.strip(line) {
            return parseAuto(inner, into: &x, stripped: true)
        }
        return first
    }
}
