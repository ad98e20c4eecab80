import ConflictWatchCore

/// Finds where a head ends and reads the fields the exchange needs out of it. Pure functions
/// over bytes: no state, no allocation.
package enum HTTPHeadParser {
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    package enum Scan: Equatable {
        /// The head ends just before this index.
        case complete(Int)
        /// More bytes needed; scanning resumes at this line start.
        case incomplete(resumeAt: Int)
    }

    /// Looks for the end of the head that starts at `headStart`: past its empty line, or past
    /// a version-less HTTP/0.9 request line. `from` is a line start at or after `headStart`
    /// (where an earlier scan stopped); `noNewlineBefore` says the bytes before it hold no line
    /// feed, so a long line arriving in small pieces is not searched again from its start.
    @inline(__always)
    package static func scan(_ d: UnsafeRawBufferPointer, headStart: Int, from: Int, noNewlineBefore: Int = 0, isRequest: Bool) -> Scan {
        var s = from
        while true {
            if s > headStart {
                guard s < d.count else { return .incomplete(resumeAt: s) }
                if d[s] == lf { return .complete(s + 1) }
                if d[s] == cr {
                    guard s + 1 < d.count else { return .incomplete(resumeAt: s) }
                    if d[s + 1] == lf { return .complete(s + 2) }
                }
            }
            guard let nl = d.firstIndex(of: lf, from: max(s, noNewlineBefore)) else { return .incomplete(resumeAt: s) }
            if s == headStart, isRequest, isHTTP09Line(trimCR(d.slice(headStart, nl))) { return .complete(nl + 1) }
            s = nl + 1
        }
    }

    @inline(__always)
    static func trimCR(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        line.count > 0 && line[line.count - 1] == cr ? line.slice(0, line.count - 1) : line
    }

    /// `METHOD SP TARGET` with no version: an HTTP/0.9 request, which has no headers.
    static func isHTTP09Line(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let sp = line.firstIndex(of: space, from: 0), sp > 0, sp + 1 < line.count else { return false }
        for i in 0..<sp where !isTokenChar(line[i]) { return false }
        return line.firstIndex(of: space, from: sp + 1) == nil && !line.slice(sp + 1, line.count).hasPrefix("HTTP/")
    }

    /// Parses a complete head (as delimited by `headEnd`). Nil for a response whose first line
    /// is not a status line. `clientHeader` is the lower-case name of the header to take the
    /// client from (empty: none).
    package static func parse(_ d: UnsafeRawBufferPointer, isRequest: Bool, clientHeader: UnsafeRawBufferPointer, into h: inout HTTPHead) -> Bool {
        h = HTTPHead()
        h.isRequest = isRequest
        let firstEnd = d.firstIndex(of: lf, from: 0) ?? d.count
        let line = trimCR(d.slice(0, firstEnd))
        if isRequest {
            requestLine(line, into: &h)
            if h.isHTTP09 { return true }
        } else {
            guard let status = statusCode(line) else { return false }
            h.status = status
        }
        var i = firstEnd + 1
        while i < d.count {
            let nl = d.firstIndex(of: lf, from: i) ?? d.count
            let field = trimCR(d.slice(i, nl))
            i = nl + 1
            if field.count == 0 { break }
            header(field, clientHeader: clientHeader, into: &h)
        }
        return true
    }

    static func requestLine(_ line: UnsafeRawBufferPointer, into h: inout HTTPHead) {
        guard let sp = line.firstIndex(of: space, from: 0), sp > 0 else { return invalid(line, &h) }
        for i in 0..<sp where !isTokenChar(line[i]) { return invalid(line, &h) }
        if let sp2 = line.firstIndex(of: space, from: sp + 1) {
            guard sp2 > sp + 1, line.firstIndex(of: space, from: sp2 + 1) == nil,
                  line.slice(sp2 + 1, line.count).hasPrefix("HTTP/") else { return invalid(line, &h) }
            h.method = line.slice(0, sp)
            h.target = line.slice(sp + 1, sp2)
        } else {
            guard sp + 1 < line.count, !line.slice(sp + 1, line.count).hasPrefix("HTTP/") else { return invalid(line, &h) }
            h.method = line.slice(0, sp)
            h.target = line.slice(sp + 1, line.count)
            h.isHTTP09 = true
        }
    }

    @inline(__always)
    static func invalid(_ line: UnsafeRawBufferPointer, _ h: inout HTTPHead) {
        h.validStartLine = false
        h.method = .empty
        h.target = line
    }

    /// `HTTP/x.y SP DDD …` → DDD.
    @inline(__always)
    package static func statusCode(_ line: UnsafeRawBufferPointer) -> Int32? {
        guard line.count >= 12, line.hasPrefix("HTTP/"), line[8] == space else { return nil }
        var v: Int32 = 0
        for i in 9..<12 {
            let c = line[i] &- 0x30
            guard c < 10 else { return nil }
            v = v * 10 + Int32(c)
        }
        guard line.count == 12 || line[12] == space || line[12] == tab else { return nil }
        return v >= 100 ? v : nil
    }

    @inline(__always)
    static func header(_ field: UnsafeRawBufferPointer, clientHeader: UnsafeRawBufferPointer, into h: inout HTTPHead) {
        guard let colon = field.firstIndex(of: colon, from: 0), colon > 0 else { return }
        let name = field.slice(0, colon)
        var vs = colon + 1
        var ve = field.count
        while vs < ve, field[vs] == space || field[vs] == tab { vs += 1 }
        while ve > vs, field[ve - 1] == space || field[ve - 1] == tab { ve -= 1 }
        let value = field.slice(vs, ve)
        switch name.count {
        case 4:
            if nameIs(name, "host") { h.host = value }
        case 10:
            if nameIs(name, "user-agent") { h.userAgent = value }
        case 12:
            if nameIs(name, "x-request-id") { h.requestID = value }
        case 14:
            if nameIs(name, "content-length") {
                if let n = value.parseDecimal() {
                    if h.contentLength >= 0, h.contentLength != n { h.badFraming = true }
                    h.contentLength = n
                } else {
                    h.badFraming = true
                }
            }
        case 17:
            if nameIs(name, "transfer-encoding") {
                h.hasTransferEncoding = true
                var last = value
                if let comma = lastIndex(of: 0x2C, in: value) {
                    var s = comma + 1
                    while s < value.count, value[s] == space || value[s] == tab { s += 1 }
                    last = value.slice(s, value.count)
                }
                h.chunked = nameIs(last, "chunked")
            }
        default:
            break
        }
        if clientHeader.count > 0, name.count == clientHeader.count, nameIs(name, clientHeader) { h.clientHeader = value }
    }

    @inline(__always)
    static func lastIndex(of byte: UInt8, in b: UnsafeRawBufferPointer) -> Int? {
        var i = b.count - 1
        while i >= 0 {
            if b[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// ASCII case-insensitive comparison with a lower-case name (letters, digits and '-').
    @inline(__always)
    static func nameIs(_ b: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        nameIs(b, UnsafeRawBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount))
    }

    @inline(__always)
    static func nameIs(_ b: UnsafeRawBufferPointer, _ lower: UnsafeRawBufferPointer) -> Bool {
        guard b.count == lower.count else { return false }
        for i in 0..<b.count {
            let c = b[i]
            let l = c &- 0x41 < 26 ? c | 0x20 : c
            if l != lower[i] { return false }
        }
        return true
    }

    /// RFC 9110 `tchar`.
    @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool {
        if b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 { return true }
        switch b {
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }
}
