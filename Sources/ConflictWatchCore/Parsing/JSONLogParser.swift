import CByteScan

/// JSON-lines access logs: nginx `escape=json` formats, Caddy, Envoy, Traefik and generic
/// `method`/`status` records. A small byte-level scanner reads one object per line, picks the
/// fields it knows by name (see `JSONKey`) and skips the rest without building anything.
/// Records without a method or a status are not access records (start-up messages, debug
/// lines) and are reported as malformed, like any other line the format does not describe.
public struct JSONLogParser {
    private var times = TimestampParser()
    private let scratch: ScratchBuffer

    /// `maxLineLength` bounds the decoded-string arena; longer lines are refused upstream.
    public init(maxLineLength: Int = LineLimits.defaultMaxLineLength) {
        scratch = ScratchBuffer(capacity: maxLineLength + 64)
    }

    /// What one record has shown so far; resolved into the exchange at the end.
    private struct Found {
        var time = UnsafeRawBufferPointer.empty
        var timeRank = 0
        var clientRank = 0
        var pathRank = 0
        var bytesRank = 0
        var request = UnsafeRawBufferPointer.empty
        var hasRequestLine = false
        var hasMethod = false
        var hasStatus = false
        var duration = UnsafeRawBufferPointer.empty
        var durationUnit = DurationUnit.seconds
        var envoy = false
        var target = UnsafeRawBufferPointer.empty
    }

    enum DurationUnit { case seconds, milliseconds, nanoseconds }

    public mutating func parse(_ line: UnsafeRawBufferPointer, into x: inout ExchangeView) -> ParseOutcome {
        scratch.reset()
        x.reset()
        var f = Found()
        var i = Self.skipWhitespace(line, 0)
        guard i < line.count, line[i] == ASCII.openBrace else { return .malformed(.invalidJSON) }
        guard let end = parseObject(line, &i, context: .top, depth: 0, &f, &x) else {
            return .malformed(.invalidJSON)
        }
        guard Self.skipWhitespace(line, end) == line.count else { return .malformed(.invalidJSON) }
        if !f.hasMethod, f.hasRequestLine {
            x.setRequestLine(f.request)
        } else if f.target.count > 0 {
            x.setTarget(f.target)
        } else if f.hasRequestLine {
            // An explicit method with only `$request` for the target.
            let m = x.method
            x.setRequestLine(f.request)
            if x.method.count > 0 { x.method = m }
        }
        guard f.hasMethod || f.hasRequestLine else { return .malformed(.missingMethod) }
        guard f.hasStatus else { return .malformed(.missingStatus) }
        guard f.time.count > 0 else { return .malformed(.missingTime) }
        guard let t = times.parseAny(f.time) else { return .malformed(.badTime) }
        x.time = t
        if f.duration.count > 0 {
            let unit = f.envoy && f.durationUnit == .seconds ? .milliseconds : f.durationUnit
            if let us = DecimalSeconds.micros(f.duration) {
                switch unit {
                case .seconds: x.latencyMicros = us
                case .milliseconds: x.latencyMicros = us / 1000
                case .nanoseconds: x.latencyMicros = us / 1_000_000_000
                }
            }
        }
        return .exchange
    }

    // MARK: - Object walk

    private mutating func parseObject(
        _ b: UnsafeRawBufferPointer, _ i: inout Int, context: JSONKey.Context, depth: Int,
        _ f: inout Found, _ x: inout ExchangeView
    ) -> Int? {
        guard depth < 4 else { return Self.skipValue(b, i) }
        i += 1
        i = Self.skipWhitespace(b, i)
        if i < b.count, b[i] == ASCII.closeBrace { return i + 1 }
        while true {
            guard i < b.count, b[i] == ASCII.quote, let key = Self.scanString(b, i) else { return nil }
            let keyBytes = b.slice(key.start, key.end)
            i = Self.skipWhitespace(b, key.next)
            guard i < b.count, b[i] == ASCII.colon else { return nil }
            i = Self.skipWhitespace(b, i + 1)
            guard i < b.count else { return nil }
            let k = key.escaped ? nil : JSONKey.classify(keyBytes, context: context)
            let c = b[i]
            if c == ASCII.quote {
                guard let s = Self.scanString(b, i) else { return nil }
                if let k {
                    guard let v = decoded(b, s) else { return nil }
                    assignString(k, v, &f, &x)
                }
                i = s.next
            } else if c == ASCII.openBrace {
                let sub = k?.nestedContext ?? (k == .requestLine ? .request : nil)
                if let sub {
                    guard let next = parseObject(b, &i, context: sub, depth: depth + 1, &f, &x) else { return nil }
                    i = next
                } else {
                    guard let next = Self.skipValue(b, i) else { return nil }
                    i = next
                }
            } else if c == ASCII.openBracket {
                // Caddy headers hold arrays of strings: take the first.
                if let k, k.takesStringArray {
                    let j = Self.skipWhitespace(b, i + 1)
                    if j < b.count, b[j] == ASCII.quote, let s = Self.scanString(b, j) {
                        guard let v = decoded(b, s) else { return nil }
                        assignString(k, v, &f, &x)
                    }
                }
                guard let next = Self.skipValue(b, i) else { return nil }
                i = next
            } else {
                guard let next = Self.skipScalar(b, i) else { return nil }
                if let k { assignScalar(k, b.slice(i, next), &f, &x) }
                i = next
            }
            i = Self.skipWhitespace(b, i)
            guard i < b.count else { return nil }
            if b[i] == ASCII.comma {
                i = Self.skipWhitespace(b, i + 1)
                continue
            }
            if b[i] == ASCII.closeBrace { return i + 1 }
            return nil
        }
    }

    private func assignString(_ k: JSONKey, _ v: UnsafeRawBufferPointer, _ f: inout Found, _ x: inout ExchangeView) {
        let absent = v.count == 0 || v.isDash
        switch k {
        case .time(let rank):
            if rank > f.timeRank, !absent { f.time = v; f.timeRank = rank }
        case .client(let rank):
            if rank > f.clientRank, !absent {
                x.client = rank == JSONKey.addressWithPortRank ? Self.stripPort(v) : Self.firstHop(v)
                f.clientRank = rank
            }
        case .method:
            if !absent { x.method = v; f.hasMethod = true }
        case .requestLine:
            f.request = v
            f.hasRequestLine = true
        case .target(let rank):
            if rank > f.pathRank, !absent { f.target = v; f.pathRank = rank }
        case .host:
            if !absent, x.host == nil { x.host = v }
        case .status(let envoy):
            f.hasStatus = true
            f.envoy = f.envoy || envoy
            if let s = v.parseDecimal(), s > 0, s < 1000 { x.status = Int32(s) }
        case .bytes(let rank):
            if rank > f.bytesRank, let n = v.parseDecimal() { x.bytes = n; f.bytesRank = rank }
        case .duration(let unit):
            if !absent { f.duration = v; f.durationUnit = unit }
        case .userAgent:
            if !absent, x.userAgent == nil { x.userAgent = v }
        case .requestID:
            if !absent, x.requestID == nil { x.requestID = v }
        case .nested:
            break
        }
    }

    /// Numbers and literals: the numeric fields read the same as their quoted forms.
    private func assignScalar(_ k: JSONKey, _ v: UnsafeRawBufferPointer, _ f: inout Found, _ x: inout ExchangeView) {
        switch k {
        case .time, .status, .bytes, .duration: assignString(k, v, &f, &x)
        default: break
        }
    }

    // MARK: - Strings

    struct StringSpan { var start: Int; var end: Int; var escaped: Bool; var next: Int }

    /// Scans the string starting at the quote at `i`: sixteen bytes at a time (`CByteScan`) up
    /// to a quote, a backslash or a control byte (user agents and referers are long), then one
    /// escape at a time from there.
    @inline(__always)
    static func scanString(_ b: UnsafeRawBufferPointer, _ i: Int) -> StringSpan? {
        guard let base = b.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var j = i + 1
        var escaped = false
        let n = b.count
        while j < n {
            j += cw_json_string_stop(base + j, n - j)
            guard j < n else { return nil }
            let c = base[j]
            if c == ASCII.quote { return StringSpan(start: i + 1, end: j, escaped: escaped, next: j + 1) }
            guard c == ASCII.backslash else { return nil }
            escaped = true
            j += 2
        }
        return nil
    }

    /// The string's bytes, with escapes decoded into the scratch arena when there are any.
    @inline(__always)
    private func decoded(_ b: UnsafeRawBufferPointer, _ s: StringSpan) -> UnsafeRawBufferPointer? {
        s.escaped ? unescaped(b, s) : b.slice(s.start, s.end)
    }

    private func unescaped(_ b: UnsafeRawBufferPointer, _ s: StringSpan) -> UnsafeRawBufferPointer? {
        let room = s.end - s.start
        guard let out = scratch.reserve(room) else { return nil }
        var w = 0
        var j = s.start
        while j < s.end {
            let c = b[j]
            if c != ASCII.backslash {
                out.storeBytes(of: c, toByteOffset: w, as: UInt8.self)
                w += 1
                j += 1
                continue
            }
            guard j + 1 < s.end else { return nil }
            let e = b[j + 1]
            var lit: UInt8 = 0
            switch e {
            case ASCII.quote, ASCII.backslash, ASCII.slash: lit = e
            case 0x62: lit = 0x08
            case 0x66: lit = 0x0C
            case 0x6E: lit = 0x0A
            case 0x72: lit = 0x0D
            case 0x74: lit = 0x09
            case 0x75:
                guard var cp = Self.hex4(b, j + 2, s.end) else { return nil }
                j += 6
                if cp >= 0xD800, cp < 0xDC00, j + 1 < s.end, b[j] == ASCII.backslash, b[j + 1] == 0x75,
                   let lo = Self.hex4(b, j + 2, s.end), lo >= 0xDC00, lo < 0xE000 {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    j += 6
                }
                w += Self.encodeUTF8(cp, out + w)
                continue
            default:
                return nil
            }
            out.storeBytes(of: lit, toByteOffset: w, as: UInt8.self)
            w += 1
            j += 2
        }
        scratch.shrinkLast(by: room - w)
        return UnsafeRawBufferPointer(start: out, count: w)
    }

    @inline(__always)
    static func hex4(_ b: UnsafeRawBufferPointer, _ at: Int, _ end: Int) -> UInt32? {
        guard at + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in at..<(at + 4) {
            guard let h = ASCII.hexValue(b[k]) else { return nil }
            v = v << 4 | UInt32(h)
        }
        return v
    }

    /// Writes `cp` as UTF-8 (lone surrogates become U+FFFD); returns the byte count.
    static func encodeUTF8(_ cp0: UInt32, _ out: UnsafeMutableRawPointer) -> Int {
        let cp = (cp0 >= 0xD800 && cp0 < 0xE000) ? 0xFFFD : cp0
        switch cp {
        case ..<0x80:
            out.storeBytes(of: UInt8(cp), as: UInt8.self)
            return 1
        case ..<0x800:
            out.storeBytes(of: UInt8(0xC0 | cp >> 6), as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | cp & 0x3F), toByteOffset: 1, as: UInt8.self)
            return 2
        case ..<0x10000:
            out.storeBytes(of: UInt8(0xE0 | cp >> 12), as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | (cp >> 6) & 0x3F), toByteOffset: 1, as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | cp & 0x3F), toByteOffset: 2, as: UInt8.self)
            return 3
        default:
            out.storeBytes(of: UInt8(0xF0 | cp >> 18), as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | (cp >> 12) & 0x3F), toByteOffset: 1, as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | (cp >> 6) & 0x3F), toByteOffset: 2, as: UInt8.self)
            out.storeBytes(of: UInt8(0x80 | cp & 0x3F), toByteOffset: 3, as: UInt8.self)
            return 4
        }
    }

    // MARK: - Skipping

    @inline(__always)
    static func skipWhitespace(_ b: UnsafeRawBufferPointer, _ i0: Int) -> Int {
        var i = i0
        // Compact JSON (what loggers write) has none: one comparison per call then.
        while i < b.count {
            let c = b[i]
            guard c <= ASCII.space,
                  c == ASCII.space || c == ASCII.tab || c == ASCII.newline || c == ASCII.carriageReturn else { break }
            i += 1
        }
        return i
    }

    /// Numbers and the literals true/false/null: runs up to the next delimiter.
    @inline(__always)
    static func skipScalar(_ b: UnsafeRawBufferPointer, _ i0: Int) -> Int? {
        var i = i0
        while i < b.count {
            let c = b[i]
            if c == ASCII.comma || c == ASCII.closeBrace || c == ASCII.closeBracket || c == ASCII.space
                || c == ASCII.tab || c == ASCII.carriageReturn || c == ASCII.newline { break }
            guard ASCII.isDigit(c) || ASCII.isAlpha(c) || c == ASCII.dash || c == ASCII.plus || c == ASCII.dot
            else { return nil }
            i += 1
        }
        return i > i0 ? i : nil
    }

    /// Skips any value (object, array, string or scalar), tracking nesting without recursion.
    static func skipValue(_ b: UnsafeRawBufferPointer, _ i0: Int) -> Int? {
        var i = i0
        guard i < b.count else { return nil }
        let c = b[i]
        if c == ASCII.quote { return scanString(b, i)?.next }
        if c != ASCII.openBrace && c != ASCII.openBracket { return skipScalar(b, i) }
        var depth = 0
        while i < b.count {
            let d = b[i]
            if d == ASCII.quote {
                guard let s = scanString(b, i) else { return nil }
                i = s.next
                continue
            }
            if d == ASCII.openBrace || d == ASCII.openBracket {
                depth += 1
                guard depth <= 64 else { return nil }
            } else if d == ASCII.closeBrace || d == ASCII.closeBracket {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    // MARK: - Addresses

    /// `"192.168.1.100,10.0.0.50"` → the first hop.
    static func firstHop(_ v: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let comma = v.firstIndex(of: ASCII.comma, from: 0) else { return v }
        var e = comma
        while e > 0, v[e - 1] == ASCII.space { e -= 1 }
        return v.slice(0, e)
    }

    /// `10.0.0.12:59292` → `10.0.0.12`; `[fd00::1]:43000` → `fd00::1`; a bare IPv6 stays.
    static func stripPort(_ v: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if v.count > 2, v[0] == ASCII.openBracket, let close = v.firstIndex(of: ASCII.closeBracket, from: 1) {
            return v.slice(1, close)
        }
        guard let colon = v.firstIndex(of: ASCII.colon, from: 0) else { return v }
        if v.firstIndex(of: ASCII.colon, from: colon + 1) != nil { return v }
        return v.slice(0, colon)
    }
}
