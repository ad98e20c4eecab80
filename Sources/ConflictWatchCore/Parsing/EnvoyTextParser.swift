/// Envoy's default text access-log format:
///
///     [START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS RX TX DURATION UPSTREAM_TIME "XFF" "UA" "REQUEST_ID" "AUTHORITY" "UPSTREAM"
///
/// The client is the first X-Forwarded-For hop (Envoy logs no peer address in this format).
public struct EnvoyTextParser {
    public init() {}

    public mutating func parse(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView) -> ParseOutcome {
        let n = line.count
        guard n > 2, line[0] == ASCII.openBracket,
              let close = line.firstIndex(of: ASCII.closeBracket, from: 1),
              let time = TimestampParser.parseISO8601(line.slice(1, close)) else { return .malformed(.notAccessLog) }
        x.reset()
        x.time = time
        var pos = close + 1
        guard pos + 1 < n, line[pos] == ASCII.space, line[pos + 1] == ASCII.quote,
              let reqEnd = CombinedLogParser.closingQuote(line, from: pos + 2) else { return .malformed(.notAccessLog) }
        x.setRequestLine(line.slice(pos + 2, reqEnd))
        pos = reqEnd + 1
        // CODE FLAGS RX TX DURATION UPSTREAM_TIME
        var numbers = (UnsafeRawBufferPointer.empty, UnsafeRawBufferPointer.empty, UnsafeRawBufferPointer.empty,
                       UnsafeRawBufferPointer.empty)
        for k in 0..<6 {
            guard pos < n, line[pos] == ASCII.space else { return .malformed(.notAccessLog) }
            let end = line.firstIndex(of: ASCII.space, from: pos + 1) ?? n
            let tok = line.slice(pos + 1, end)
            guard tok.count > 0 else { return .malformed(.notAccessLog) }
            switch k {
            case 0: numbers.0 = tok
            case 3: numbers.1 = tok
            case 4: numbers.2 = tok
            default: break
            }
            pos = end
        }
        guard let status = numbers.0.parseDecimal(), status >= 100, status < 1000 else {
            return .malformed(.badStatus)
        }
        x.status = Int32(status)
        x.bytes = numbers.1.parseDecimal() ?? -1
        if let ms = numbers.2.parseDecimal() { x.latencyMicros = ms * 1000 }
        var quoted = 0
        while pos < n, quoted < 5 {
            guard line[pos] == ASCII.space, pos + 1 < n, line[pos + 1] == ASCII.quote,
                  let end = CombinedLogParser.closingQuote(line, from: pos + 2) else { return .malformed(.notAccessLog) }
            let v = line.slice(pos + 2, end)
            let present = v.count > 0 && !v.isDash
            switch quoted {
            case 0: if present { x.client = JSONLogParser.stripPort(JSONLogParser.firstHop(v)) }
            case 1: if present { x.userAgent = v }
            case 2: if present { x.requestID = v }
            case 3: if present { x.host = v }
            default: break
            }
            quoted += 1
            pos = end + 1
        }
        guard quoted == 5, pos == n else { return .malformed(.notAccessLog) }
        return .exchange
    }
}
