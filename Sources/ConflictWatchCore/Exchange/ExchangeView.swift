/// One HTTP exchange as a parser sees it: fields are views into the line being parsed (or into
/// the parser's scratch buffer for decoded JSON strings). Nothing here owns memory, so filling it
/// costs no allocation; a view is valid only until the parser handles its next line.
/// `Exchange` is the owned form for output and tests.
public struct ExchangeView {
    /// Request start, epoch microseconds UTC.
    public var time: Int64 = 0
    public var client: UnsafeRawBufferPointer = .empty
    /// Empty when the logged request line was not `METHOD TARGET [PROTOCOL]` (TLS on a plain
    /// port, scanners' garbage); `path` then holds the raw request text.
    public var method: UnsafeRawBufferPointer = .empty
    public var host: UnsafeRawBufferPointer? = nil
    public var path: UnsafeRawBufferPointer = .empty
    public var query: UnsafeRawBufferPointer? = nil
    /// -1 when the request got no response (or the log says `-`).
    public var status: Int32 = -1
    /// -1 when unknown.
    public var bytes: Int64 = -1
    /// -1 when unknown.
    public var latencyMicros: Int64 = -1
    public var userAgent: UnsafeRawBufferPointer? = nil
    public var requestID: UnsafeRawBufferPointer? = nil

    public init() {}

    @inline(__always) public mutating func reset() { self = ExchangeView() }

    /// True when the request line was a well-formed `METHOD TARGET [PROTOCOL]`.
    @inline(__always) public var hasRequestLine: Bool { method.count > 0 }

    /// Fills `method`, `path` and `query` from a logged request line (`"GET /a?b HTTP/1.1"`).
    /// Anything that is not `METHOD SP TARGET [SP HTTP/x]` keeps its bytes in `path`, with an
    /// empty method, so the line still counts but cannot be mistaken for a request.
    @inline(__always)
    public mutating func setRequestLine(_ r: UnsafeRawBufferPointer) {
        guard let sp = r.firstIndexNear(of: ASCII.space, from: 0), sp > 0 else {
            return markInvalid(r)
        }
        var i = 0
        while i < sp {
            guard ASCII.isTokenChar(r[i]) else {
                return markInvalid(r)
            }
            i += 1
        }
        // The target is one token; an optional protocol token must start with HTTP/.
        // Anything else (spaces inside, extra tokens) is not a request line.
        var end = r.count
        if let sp2 = r.firstIndex(of: ASCII.space, from: sp + 1) {
            guard r.firstIndexHybrid(of: ASCII.space, from: sp2 + 1) == nil,
                  r.slice(sp2 + 1, r.count).hasPrefix("HTTP/") else {
                return markInvalid(r)
            }
            end = sp2
        }
        guard end > sp + 1 else {
            return markInvalid(r)
        }
        method = r.slice(0, sp)
        setTarget(r.slice(sp + 1, end))
    }

    @inline(__always)
    mutating func markInvalid(_ r: UnsafeRawBufferPointer) {
        method = .empty
        path = r
        query = nil
    }

    /// Splits a request target at its first `?`.
    @inline(__always)
    public mutating func setTarget(_ t: UnsafeRawBufferPointer) {
        if let q = t.firstIndex(of: ASCII.question, from: 0) {
            path = t.slice(0, q)
            query = t.slice(q + 1, t.count)
        } else {
            path = t
            query = nil
        }
    }
}
