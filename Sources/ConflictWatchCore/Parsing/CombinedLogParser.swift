/// NCSA common / combined access logs as nginx and Apache write them, straight from bytes:
///
///     [vhost] client ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes ["referer" "agent" [extra…]]
///
/// It accepts exactly what the strict reference patterns accept (one optional leading vhost
/// token, backslash-escaped quotes, `-` bytes, anything after a complete combined line), plus
/// `key=value` fields after a common line (`rt=0.003`). Unquoted positional fields after the
/// bytes of a common line are refused: they mean a custom format (say `$request_time` before the
/// referer), and guessing would put the wrong value in the wrong field — use `--log-format`.
public struct CombinedLogParser {
    private var times = TimestampParser()

    public init() {}

    public mutating func parse(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView) -> ParseOutcome {
        let n = line.count
        guard n > 0 else { return .malformed(.notAccessLog) }
        var pos = 0
        // Only the first two tokens matter: client or vhost+client; ident and user are skipped.
        var t0 = (0, 0), t1 = (0, 0)
        var tokens = 0
        while pos < n, line[pos] != ASCII.openBracket {
            guard tokens < 4, let sp = line.firstIndexNear(of: ASCII.space, from: pos), sp > pos else {
                return .malformed(.notAccessLog)
            }
            if tokens == 0 { t0 = (pos, sp) } else if tokens == 1 { t1 = (pos, sp) }
            tokens += 1
            pos = sp + 1
        }
        switch tokens {
        case 3:
            x.client = line.slice(t0.0, t0.1)
            x.host = nil
        case 4:
            x.host = line.slice(t0.0, t0.1)
            x.client = line.slice(t1.0, t1.1)
        default:
            return .malformed(.notAccessLog)
        }
        guard pos + 28 <= n, line[pos + 27] == ASCII.closeBracket,
              let time = times.parseCLF(line.slice(pos + 1, pos + 27)) else { return .malformed(.badTime) }
        x.time = time
        pos += 28
        guard pos + 1 < n, line[pos] == ASCII.space, line[pos + 1] == ASCII.quote else {
            return .malformed(.notAccessLog)
        }
        let reqStart = pos + 2
        guard let reqEnd = Self.closingQuote(line, from: reqStart) else { return .malformed(.unterminatedQuote) }
        x.setRequestLine(line.slice(reqStart, reqEnd))
        pos = reqEnd + 1
        guard pos + 4 < n, line[pos] == ASCII.space, line[pos + 4] == ASCII.space,
              ASCII.isDigit(line[pos + 1]), ASCII.isDigit(line[pos + 2]), ASCII.isDigit(line[pos + 3])
        else { return .malformed(.badStatus) }
        x.status = Int32(line[pos + 1] &- ASCII.zero) * 100 + Int32(line[pos + 2] &- ASCII.zero) * 10
            + Int32(line[pos + 3] &- ASCII.zero)
        pos += 5
        let bytesEnd = line.firstIndexNear(of: ASCII.space, from: pos) ?? n
        let bytesField = line.slice(pos, bytesEnd)
        if bytesField.isDash {
            x.bytes = -1
        } else if let b = bytesField.parseDecimal() {
            x.bytes = b
        } else {
            return .malformed(.badBytes)
        }
        x.userAgent = nil
        x.requestID = nil
        x.latencyMicros = -1
        pos = bytesEnd
        if pos == n { return .exchange }
        pos += 1
        guard pos < n else { return .malformed(.notAccessLog) }
        if line[pos] == ASCII.quote {
            // combined: "referer" "user-agent", then anything.
            guard let refEnd = Self.closingQuote(line, from: pos + 1) else { return .malformed(.unterminatedQuote) }
            pos = refEnd + 1
            guard pos + 1 < n, line[pos] == ASCII.space, line[pos + 1] == ASCII.quote else {
                return .malformed(.notAccessLog)
            }
            guard let uaEnd = Self.closingQuote(line, from: pos + 2) else { return .malformed(.unterminatedQuote) }
            let ua = line.slice(pos + 2, uaEnd)
            x.userAgent = ua.isDash ? nil : ua
            pos = uaEnd + 1
            if pos == n { return .exchange }
            guard line[pos] == ASCII.space else { return .malformed(.notAccessLog) }
            Self.scanExtras(line.slice(pos + 1, n), into: &x)
            return .exchange
        }
        // common followed by key=value fields only.
        let firstEnd = line.firstIndex(of: ASCII.space, from: pos) ?? n
        guard line.slice(pos, firstEnd).firstIndex(of: ASCII.equals, from: 1) != nil else {
            return .malformed(.notAccessLog)
        }
        Self.scanExtras(line.slice(pos, n), into: &x)
        return .exchange
    }

    /// Index of the quote closing a field that starts at `from`, honouring backslash escapes.
    @inline(__always)
    static func closingQuote(_ line: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = from
        while let q = line.firstIndexHybrid(of: ASCII.quote, from: i) {
            var k = q - 1
            var slashes = 0
            while k >= from, line[k] == ASCII.backslash { slashes += 1; k -= 1 }
            if slashes & 1 == 0 { return q }
            i = q + 1
        }
        return nil
    }

    /// Picks the latency out of common trailing fields: `rt=0.003` / `request_time=0.003`
    /// (seconds, nginx) or a last token like `42ms` (Traefik CLF).
    static func scanExtras(_ extra: UnsafeRawBufferPointer, into x: inout ExchangeView) {
        var pos = 0
        let n = extra.count
        var lastToken = UnsafeRawBufferPointer.empty
        while pos < n {
            let end = extra.firstIndex(of: ASCII.space, from: pos) ?? n
            let tok = extra.slice(pos, end)
            if tok.hasPrefix("rt=") {
                if let us = DecimalSeconds.micros(tok.slice(3, tok.count)) { x.latencyMicros = us }
            } else if tok.hasPrefix("request_time=") {
                if let us = DecimalSeconds.micros(tok.slice(13, tok.count)) { x.latencyMicros = us }
            } else if tok.hasPrefix("request_id=") || tok.hasPrefix("id=") {
                let v = tok.slice(tok[0] == 0x69 && tok[1] == 0x64 ? 3 : 11, tok.count)
                if v.count > 0, !v.isDash { x.requestID = v }
            }
            if end > pos { lastToken = tok }
            pos = end + 1
        }
        if x.latencyMicros < 0, lastToken.count > 2, lastToken[lastToken.count - 1] == 0x73,
           lastToken[lastToken.count - 2] == 0x6D,
           let ms = DecimalSeconds.micros(lastToken.slice(0, lastToken.count - 2)) {
            x.latencyMicros = ms / 1000
        }
    }
}

/// Decimal numbers of seconds (`0.003`, `12`) as integer microseconds, without `Double`.
enum DecimalSeconds {
    @inline(__always)
    static func micros(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard b.count > 0 else { return nil }
        var whole: Int64 = 0
        var i = 0
        var digits = 0
        while i < b.count, ASCII.isDigit(b[i]) {
            guard digits < 12 else { return nil }
            whole = whole * 10 + Int64(b[i] &- ASCII.zero)
            i += 1
            digits += 1
        }
        var frac: Int64 = 0
        if i < b.count, b[i] == ASCII.dot {
            i += 1
            var scale: Int64 = 100_000
            while i < b.count, ASCII.isDigit(b[i]) {
                frac += Int64(b[i] &- ASCII.zero) * scale
                scale /= 10
                i += 1
                digits += 1
            }
        }
        guard i == b.count, digits > 0 else { return nil }
        return whole * 1_000_000 + frac
    }
}
