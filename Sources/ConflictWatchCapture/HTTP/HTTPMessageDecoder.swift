import ConflictWatchCore

/// One direction of an HTTP/1.x connection as a state machine fed arbitrary chunks of the
/// reassembled stream: heads are found and parsed, bodies skipped by Content-Length, chunked
/// framing or the close. Call `decode` until it returns nil (it needs more bytes); `skip`
/// reports a capture gap and `finish` the end of the stream.
///
/// A response's body framing depends on the request it answers (HEAD, CONNECT), which only the
/// connection knows: after a response `.head` the caller must call `setFraming` before decoding
/// on. When framing is lost (a gap in a head, a broken chunk, an oversized head) the decoder
/// scans for the next request or status line and says so.
public struct HTTPMessageDecoder {
    public enum Role: Equatable, Sendable {
        case request
        case response
    }

    public enum Event {
        /// A head was read: `head` holds it. Not a payload: a head is ~170 bytes, and copying it
        /// through every return and switch cost a tenth of a capture's reading thread.
        case head
        /// The current message is complete; `bodyBytes` of body were seen or skipped.
        case end(bodyBytes: Int64)
        /// Response bytes without a status line (an HTTP/0.9 reply, or junk): the decoder now
        /// reads them to the close; the caller decides what they are.
        case rawResponse
        /// Framing was lost; bytes are skipped until the next start line.
        case lostSync
        /// A start line was found again after `lostSync`.
        case resynced
    }

    enum State {
        case idle
        case head(resumeAt: Int)
        case awaitingFraming
        case endPending
        case lostSyncPending
        case body(Int64)
        case chunked(ChunkedBodyDecoder)
        case untilClose
        case tunnel
        case resync
        case closed
    }

    public let role: Role
    let maxHeadBytes: Int
    /// Lower-case name of the header the client address is taken from (may be empty).
    let clientHeader: [UInt8]
    var state = State.idle
    var buffer: HeadBuffer? = nil
    var clearBuffer = false
    var bodyBytes: Int64 = 0
    var startTime: Int64 = 0
    /// The last head read (see `Event.head`); its views are valid until the next call.
    public internal(set) var head = HTTPHead()

    public init(role: Role, maxHeadBytes: Int = 65_536, clientHeader: [UInt8] = []) {
        self.role = role
        self.maxHeadBytes = maxHeadBytes
        self.clientHeader = clientHeader
    }

    /// True between messages (nothing of a next message seen yet).
    public var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    public var isTunnel: Bool {
        if case .tunnel = state { return true }
        return false
    }

    /// Decodes from `d[offset...]`, advancing `offset` past what it consumed. `time` is the
    /// traffic time of these bytes (the start time of a message that begins in them).
    public mutating func decode(_ d: UnsafeRawBufferPointer, at offset: inout Int, time: Int64) -> Event? {
        while true {
            switch state {
            case .endPending:
                state = .idle
                return .end(bodyBytes: 0)
            case .lostSyncPending:
                enterResync()
                return .lostSync
            case .idle:
                if clearBuffer { buffer?.removeAll(); clearBuffer = false }
                skipBetweenMessages(d, &offset)
                guard offset < d.count else { return nil }
                startTime = time
                bodyBytes = 0
                if role == .response, !StartLineSniffer.matchesPrefix(d, offset, "HTTP/") {
                    state = .untilClose
                    return .rawResponse
                }
                switch HTTPHeadParser.scan(d, headStart: offset, from: offset, isRequest: role == .request) {
                case .complete(let end):
                    let ok = parseHead(d.slice(offset, end))
                    offset = end
                    return headDone(ok)
                case .incomplete(let resume):
                    guard d.count - offset <= maxHeadBytes else {
                        offset = d.count
                        enterResync()
                        return .lostSync
                    }
                    let b = buffer ?? HeadBuffer()
                    buffer = b
                    b.removeAll()
                    b.append(d.slice(offset, d.count))
                    state = .head(resumeAt: resume - offset)
                    offset = d.count
                    return nil
                }
            case .head(let resume):
                guard offset < d.count, let b = buffer else { return nil }
                let old = b.count
                let take = min(d.count - offset, maxHeadBytes + 4 - old)
                b.append(d.slice(offset, offset + take))
                switch HTTPHeadParser.scan(b.bytes, headStart: 0, from: resume, noNewlineBefore: old, isRequest: role == .request) {
                case .complete(let end):
                    offset += end - old
                    clearBuffer = true
                    let ok = parseHead(b.bytes.slice(0, end))
                    return headDone(ok)
                case .incomplete(let r):
                    offset += take
                    if b.count > maxHeadBytes {
                        // A head this large is hostile or not HTTP: drop it and look for the next one.
                        offset = d.count
                        enterResync()
                        return .lostSync
                    }
                    state = .head(resumeAt: r)
                    return nil
                }
            case .awaitingFraming:
                // The caller did not say; use what the head alone implies.
                setFraming(head.responseFraming(requestMethodIsHEAD: false, requestIsCONNECT: false))
            case .body(let remaining):
                guard offset < d.count else { return nil }
                let n = min(remaining, Int64(d.count - offset))
                offset += Int(n)
                bodyBytes += n
                if n == remaining {
                    state = .idle
                    return .end(bodyBytes: bodyBytes)
                }
                state = .body(remaining - n)
                return nil
            case .chunked(var chunks):
                guard offset < d.count else { return nil }
                let result = chunks.decode(d, at: &offset)
                bodyBytes = chunks.bodyBytes
                switch result {
                case .done:
                    state = .idle
                    return .end(bodyBytes: bodyBytes)
                case .needMoreData:
                    state = .chunked(chunks)
                    return nil
                case .invalid:
                    enterResync()
                    return .lostSync
                }
            case .untilClose:
                bodyBytes += Int64(d.count - offset)
                offset = d.count
                return nil
            case .tunnel, .closed:
                offset = d.count
                return nil
            case .resync:
                guard offset < d.count else { return nil }
                guard let start = StartLineSniffer.nextMessageStart(d, from: offset, request: role == .request) else {
                    offset = d.count
                    return nil
                }
                offset = start
                state = .idle
                return .resynced
            }
        }
    }

    /// Sets how the body after a response head is delimited (see `HTTPHead.responseFraming`).
    public mutating func setFraming(_ framing: BodyFraming) {
        switch framing {
        case .none: state = .endPending
        case .length(let n): state = n > 0 ? .body(n) : .endPending
        case .chunked: state = .chunked(ChunkedBodyDecoder())
        case .untilClose: state = .untilClose
        case .tunnel: state = .tunnel
        }
    }

    /// Stops parsing: the rest of the stream is not HTTP (after 101 or a CONNECT tunnel).
    public mutating func becomeTunnel() { state = .tunnel }

    /// Skips to the next start line: the caller knows the stream is mid-message (picked up
    /// mid-stream) or that what follows is not what it should be.
    public mutating func resynchronise() { enterResync() }

    /// A capture gap of `count` bytes at the current position. Inside a body of known length,
    /// a chunk, or a close-delimited body it is simply counted; anywhere else framing is lost.
    /// Call `decode` with no bytes afterwards to collect any follow-up event.
    public mutating func skip(_ count: Int) -> Event? {
        switch state {
        case .body(let remaining):
            let n = Int64(count)
            if n < remaining {
                bodyBytes += n
                state = .body(remaining - n)
                return nil
            }
            bodyBytes += remaining
            // The next message started inside the gap when it overran the body.
            state = n == remaining ? .idle : .lostSyncPending
            return .end(bodyBytes: bodyBytes)
        case .chunked(var chunks):
            if chunks.skip(count) {
                bodyBytes = chunks.bodyBytes
                state = .chunked(chunks)
                return nil
            }
            enterResync()
            return .lostSync
        case .untilClose:
            bodyBytes += Int64(count)
            return nil
        case .tunnel, .resync, .closed:
            return nil
        case .endPending:
            state = .lostSyncPending
            return .end(bodyBytes: 0)
        case .head:
            if let partial = partialHead() { return partial }
            enterResync()
            return .lostSync
        case .idle, .awaitingFraming, .lostSyncPending:
            enterResync()
            return .lostSync
        }
    }

    /// A gap cut a buffered head short (a snapshot length shorter than the packets): when its
    /// start line is there, the message still counts. A request is reported with what is
    /// known; a response with its status, after which the decoder scans for the next message.
    mutating func partialHead() -> Event? {
        guard let b = buffer, b.count > 0 else { return nil }
        let bytes = b.bytes
        let firstEnd = bytes.firstIndex(of: 0x0A, from: 0) ?? bytes.count
        let line = HTTPHeadParser.trimCR(bytes.slice(0, firstEnd))
        var lastLF = bytes.count - 1
        while lastLF > firstEnd, bytes[lastLF] != 0x0A { lastLF -= 1 }
        let complete = firstEnd < bytes.count ? bytes.slice(0, lastLF + 1) : line
        if role == .request {
            guard StartLineSniffer.requestLineStart(line, at: 0) == .request else { return nil }
            _ = parseHead(complete)
            if !head.validStartLine || head.isHTTP09 {
                // The line was cut inside the target or the version: keep method and the target's start.
                let sp = line.firstIndex(of: 0x20, from: 0)!
                let end = line.firstIndex(of: 0x20, from: sp + 1) ?? line.count
                head.method = line.slice(0, sp)
                head.target = line.slice(sp + 1, end)
                head.validStartLine = true
                head.isHTTP09 = false
            }
            state = .lostSyncPending
        } else {
            guard HTTPHeadParser.statusCode(line) != nil, parseHead(complete) else { return nil }
            state = .awaitingFraming
        }
        head.truncated = true
        head.startTime = startTime
        clearBuffer = true
        return .head
    }

    /// The stream ended (FIN, RST, eviction, end of input): completes a close-delimited body.
    /// Anything else in flight was cut short and is left to the caller.
    public mutating func finish() -> Event? {
        let before = state
        state = .closed
        switch before {
        case .untilClose: return .end(bodyBytes: bodyBytes)
        case .endPending: return .end(bodyBytes: 0)
        default: return nil
        }
    }

    mutating func enterResync() {
        buffer?.removeAll()
        clearBuffer = false
        state = .resync
    }

    /// Empty lines between messages are allowed (RFC 9112 §2.2). In a request stream, stray
    /// header lines (left by an HTTP/0.9-looking request line that had headers after all) are
    /// skipped too rather than taken for requests.
    @inline(__always)
    mutating func skipBetweenMessages(_ d: UnsafeRawBufferPointer, _ offset: inout Int) {
        while offset < d.count {
            let c = d[offset]
            if c == 0x0D || c == 0x0A {
                offset += 1
                continue
            }
            guard role == .request, isHeaderLine(d, at: offset), let nl = d.firstIndex(of: 0x0A, from: offset) else { return }
            offset = nl + 1
        }
    }

    @inline(__always)
    func isHeaderLine(_ d: UnsafeRawBufferPointer, at i: Int) -> Bool {
        var k = i
        while k < d.count, k - i < 64 {
            let c = d[k]
            if c == 0x3A { return k > i }
            guard HTTPHeadParser.isTokenChar(c) else { return false }
            k += 1
        }
        return false
    }

    mutating func parseHead(_ bytes: UnsafeRawBufferPointer) -> Bool {
        clientHeader.withUnsafeBytes { name in
            HTTPHeadParser.parse(bytes, isRequest: role == .request, clientHeader: name, into: &head)
        }
    }

    mutating func headDone(_ ok: Bool) -> Event {
        guard ok else {
            // A response head that does not start with a status line.
            enterResync()
            return .lostSync
        }
        head.startTime = startTime
        if role == .response {
            state = .awaitingFraming
            return .head
        }
        if head.isHTTP09 {
            state = .endPending
            return .head
        }
        guard let framing = head.requestFraming else {
            // Transfer-Encoding without chunked, or a broken Content-Length: the request counts,
            // its body cannot be delimited.
            state = .lostSyncPending
            return .head
        }
        setFraming(framing)
        return .head
    }
}
