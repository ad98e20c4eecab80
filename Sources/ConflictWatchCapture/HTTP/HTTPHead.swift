import ConflictWatchCore

/// The parts of a request or response head that an exchange needs. Fields are views into the
/// decoder's input or its head buffer, valid until the decoder is called again.
public struct HTTPHead {
    public var isRequest = true
    /// False when a request line was not `METHOD SP TARGET [SP HTTP/x]`: `target` then holds
    /// the raw line and `method` is empty (the same convention as garbage log lines).
    public var validStartLine = true
    public var method: UnsafeRawBufferPointer = .empty
    public var target: UnsafeRawBufferPointer = .empty
    /// A request line without a version: the response is raw bytes until close.
    public var isHTTP09 = false
    public var status: Int32 = -1
    public var host: UnsafeRawBufferPointer? = nil
    public var userAgent: UnsafeRawBufferPointer? = nil
    public var requestID: UnsafeRawBufferPointer? = nil
    /// The configured client header (X-Forwarded-For by default), whole.
    public var clientHeader: UnsafeRawBufferPointer? = nil
    /// -1 when absent.
    public var contentLength: Int64 = -1
    public var hasTransferEncoding = false
    /// Transfer-Encoding's final coding is chunked.
    public var chunked = false
    /// Content-Length unreadable or contradicting itself: the body cannot be delimited.
    public var badFraming = false
    /// Traffic time of the message's first byte.
    public var startTime: Int64 = 0
    /// A capture gap cut the head short: only its first line (and complete header lines before
    /// the gap) is known, the body framing is not.
    public var truncated = false

    public init() {}

    /// Body framing a request head implies; nil when it cannot be delimited.
    public var requestFraming: BodyFraming? {
        if chunked { return .chunked }
        if hasTransferEncoding || badFraming { return nil }
        return contentLength > 0 ? .length(contentLength) : BodyFraming.none
    }

    /// Body framing a response head implies given the request it answers (RFC 9112 §6.3):
    /// HEAD and 1xx/204/304 have none, a successful CONNECT and 101 turn the connection into a
    /// tunnel, then chunked, then Content-Length, else the body runs to the close.
    public func responseFraming(requestMethodIsHEAD: Bool, requestIsCONNECT: Bool) -> BodyFraming {
        if status == 101 { return .tunnel }
        if requestIsCONNECT && status >= 200 && status < 300 { return .tunnel }
        if requestMethodIsHEAD || status < 200 || status == 204 || status == 304 { return .none }
        if chunked { return .chunked }
        if hasTransferEncoding || badFraming { return .untilClose }
        return contentLength >= 0 ? (contentLength == 0 ? .none : .length(contentLength)) : .untilClose
    }
}
