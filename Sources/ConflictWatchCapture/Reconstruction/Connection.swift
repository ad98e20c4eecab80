import ConflictWatchCore

/// One TCP connection: both directions reassembled, recognised (HTTP, TLS, HTTP/2, other),
/// and for HTTP decoded and paired request-to-response in order. Exchanges leave through the
/// sink as soon as their response completes; whatever is left when the connection ends
/// (close, eviction, end of input) is reported then.
struct Connection {
    enum Kind {
        case undetermined
        case http
        case tls
        case http2
        case other
    }

    struct Direction {
        var stream: StreamReassembler
        var decoder: HTTPMessageDecoder? = nil
        /// First bytes kept while too few to recognise the protocol (typed-by-hand requests
        /// arrive a byte at a time).
        var sniffed: [UInt8] = []
        /// Bytes seen without recognising anything (a mid-stream start inside a body).
        var unrecognised = 0
        var finSeen = false
        var ended = false
    }

    /// Data seen in a flow without finding HTTP before it is given up as something else.
    static let recognitionLimit = 64 << 10
    static let sniffLimit = 64

    let key: FlowKey
    let number: Int
    var lastSeen: Int64
    var kind = Kind.undetermined
    var dirs: [Direction]
    var requestDirection = -1
    var clientText: [UInt8] = []
    var pending: PendingRequestQueue
    /// The request whose response is being read (nil: none, or an orphan response).
    var active: PendingRequest? = nil
    var activeStatus: Int32 = -1
    var activeResponseTime: Int64 = -1
    var activeInterim = false
    var closed = false

    init(key: FlowKey, number: Int, time: Int64, configuration c: CaptureConfiguration) {
        self.key = key
        self.number = number
        lastSeen = time
        let stream = StreamReassembler(maxSegments: c.maxBufferedSegments, maxBytes: c.maxBufferedBytesPerDirection)
        dirs = [Direction(stream: stream), Direction(stream: stream)]
        pending = PendingRequestQueue(capacity: c.maxPendingRequests)
    }

    // MARK: segments

    mutating func handle(_ s: TCPSegment, direction d: Int, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        lastSeen = time
        if s.isRST {
            finish(context: &context, sink: sink)
            return
        }
        switch kind {
        case .tls, .http2, .other:
            // Not ours to parse: only watch for the end to free the slot.
            if s.isFIN { dirs[d].finSeen = true }
            if dirs[0].finSeen && dirs[1].finSeen { closed = true }
            return
        case .undetermined, .http:
            break
        }
        if s.isSYN { dirs[d].stream.syn(s.sequence) }
        if s.hasACK { acknowledged(by: d, s.acknowledgment, context: &context, sink: sink) }
        if s.wireLength > 0, !dirs[d].ended { ingest(d, s, time: time, context: &context, sink: sink) }
        if s.isFIN {
            dirs[d].finSeen = true
            if !dirs[d].stream.started { _ = dirs[d].stream.placement(sequence: s.sequence, length: 0) }
            dirs[d].stream.fin(at: s.sequence &+ UInt32(truncatingIfNeeded: s.wireLength) &+ (s.isSYN ? 1 : 0))
        }
        checkEnd(d, context: &context, sink: sink)
    }

    mutating func ingest(_ d: Int, _ s: TCPSegment, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        switch dirs[d].stream.placement(sequence: s.sequence, length: s.wireLength) {
        case .old:
            context.counters.retransmissions &+= 1
        case .deliver(let skip):
            deliver(d, s.payload, wireLength: s.wireLength, skip: skip, time: time, context: &context, sink: sink)
            drainBuffered(d, context: &context, sink: sink)
        case .ahead:
            context.counters.outOfOrder &+= 1
            if store(d, s, time: time, context: &context) { return }
            // No room to wait for the hole any longer: skip it and go on from what we have.
            flushHole(d, context: &context, sink: sink)
            switch dirs[d].stream.placement(sequence: s.sequence, length: s.wireLength) {
            case .old:
                context.counters.retransmissions &+= 1
            case .deliver(let skip):
                deliver(d, s.payload, wireLength: s.wireLength, skip: skip, time: time, context: &context, sink: sink)
                drainBuffered(d, context: &context, sink: sink)
            case .ahead:
                if store(d, s, time: time, context: &context) { return }
                let hole = sequenceDistance(s.sequence, dirs[d].stream.nextSequence)
                gap(d, hole, context: &context, sink: sink)
                dirs[d].stream.advance(by: hole)
                deliver(d, s.payload, wireLength: s.wireLength, skip: 0, time: time, context: &context, sink: sink)
            }
        }
    }

    mutating func store(_ d: Int, _ s: TCPSegment, time: Int64, context: inout CaptureContext) -> Bool {
        guard context.bufferedBytes + s.payload.count <= context.configuration.maxBufferedBytes else { return false }
        let before = dirs[d].stream.bufferedBytes
        guard dirs[d].stream.store(sequence: s.sequence, bytes: s.payload, wireLength: s.wireLength, time: time) else { return false }
        context.bufferedBytes += dirs[d].stream.bufferedBytes - before
        return true
    }

    /// Hands on a segment's bytes from `skip` on; bytes the snapshot length cut off are a gap.
    mutating func deliver(_ d: Int, _ payload: UnsafeRawBufferPointer, wireLength: Int, skip: Int, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        let captured = payload.count
        if skip < captured {
            dirs[d].stream.advance(by: captured - skip)
            feed(d, payload.slice(skip, captured), time: time, context: &context, sink: sink)
        }
        let missing = wireLength - max(skip, captured)
        if missing > 0 {
            dirs[d].stream.advance(by: missing)
            gap(d, missing, context: &context, sink: sink)
        }
    }

    mutating func drainBuffered(_ d: Int, context: inout CaptureContext, sink: ExchangeSink) {
        while let segment = dirs[d].stream.popReady() {
            context.bufferedBytes -= segment.bytes.count
            let skip = -sequenceDistance(segment.sequence, dirs[d].stream.nextSequence)
            if skip >= segment.wireLength { continue }
            segment.bytes.withUnsafeBytes { b in
                deliver(d, b, wireLength: segment.wireLength, skip: skip, time: segment.time, context: &context, sink: sink)
            }
        }
    }

    /// Gives up waiting for the bytes before the first buffered segment.
    mutating func flushHole(_ d: Int, context: inout CaptureContext, sink: ExchangeSink) {
        let hole = dirs[d].stream.holeBeforeBuffered
        if hole > 0 {
            dirs[d].stream.advance(by: hole)
            gap(d, hole, context: &context, sink: sink)
        }
        drainBuffered(d, context: &context, sink: sink)
    }

    /// The peer acknowledged bytes of the other direction that the capture never showed: they
    /// were sent and lost to the capture, not merely late. Skip them as a gap (up to what is
    /// buffered or the FIN), so the stream goes on without waiting for the end.
    mutating func acknowledged(by d: Int, _ ack: UInt32, context: inout CaptureContext, sink: ExchangeSink) {
        let o = 1 - d
        let stream = dirs[o].stream
        guard stream.started, !dirs[o].ended, !stream.buffered.isEmpty || stream.finSequence != nil else { return }
        let ahead = sequenceDistance(ack, stream.nextSequence)
        guard ahead > 0 else { return }
        var limit = ahead
        if let first = stream.buffered.first {
            limit = min(limit, max(0, sequenceDistance(first.sequence, stream.nextSequence)))
        } else if let fin = stream.finSequence {
            limit = min(limit, max(0, sequenceDistance(fin, stream.nextSequence)))
        }
        if limit > 0 {
            dirs[o].stream.advance(by: limit)
            gap(o, limit, context: &context, sink: sink)
        }
        drainBuffered(o, context: &context, sink: sink)
        checkEnd(o, context: &context, sink: sink)
    }

    mutating func checkEnd(_ d: Int, context: inout CaptureContext, sink: ExchangeSink) {
        guard !dirs[d].ended, dirs[d].stream.reachedFin else { return }
        endDirection(d, context: &context, sink: sink)
        if dirs[0].ended && dirs[1].ended { finish(context: &context, sink: sink) }
    }

    mutating func endDirection(_ d: Int, context: inout CaptureContext, sink: ExchangeSink) {
        guard !dirs[d].ended else { return }
        // Whatever is still buffered will not be completed any more.
        while !dirs[d].stream.buffered.isEmpty { flushHole(d, context: &context, sink: sink) }
        let missing = dirs[d].stream.missingBeforeFin
        if missing > 0 {
            dirs[d].stream.advance(by: missing)
            gap(d, missing, context: &context, sink: sink)
        }
        context.bufferedBytes -= dirs[d].stream.bufferedBytes
        dirs[d].stream.markEnded()
        dirs[d].ended = true
        if let event = dirs[d].decoder?.finish() {
            handle(event, from: d, time: lastSeen, context: &context, sink: sink)
        }
    }

    /// Ends the connection (RST, both FINs, eviction, end of input): completes what can be
    /// completed and reports every request still waiting with status null.
    mutating func finish(context: inout CaptureContext, sink: ExchangeSink) {
        guard !closed else { return }
        endDirection(0, context: &context, sink: sink)
        endDirection(1, context: &context, sink: sink)
        if let r = active {
            // The response was cut short: its status is known, its length is not.
            emit(r, status: activeStatus, bytes: -1, responseTime: activeResponseTime, sink: sink)
            active = nil
        }
        while let r = pending.popFirst() {
            context.counters.unanswered &+= 1
            emit(r, status: -1, bytes: -1, responseTime: -1, sink: sink)
        }
        closed = true
    }

    // MARK: bytes → HTTP

    mutating func gap(_ d: Int, _ count: Int, context: inout CaptureContext, sink: ExchangeSink) {
        context.counters.gaps &+= 1
        context.counters.gapBytes &+= UInt64(count)
        guard dirs[d].decoder != nil else {
            // Not recognised yet: whatever was kept no longer continues.
            dirs[d].sniffed.removeAll()
            return
        }
        let event = dirs[d].decoder!.skip(count)
        if let event { handle(event, from: d, time: lastSeen, context: &context, sink: sink) }
        run(d, UnsafeRawBufferPointer(start: nil, count: 0), time: lastSeen, context: &context, sink: sink)
    }

    mutating func feed(_ d: Int, _ data: UnsafeRawBufferPointer, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        switch kind {
        case .http:
            run(d, data, time: time, context: &context, sink: sink)
        case .undetermined:
            recognise(d, data, time: time, context: &context, sink: sink)
        case .tls, .http2, .other:
            return
        }
    }

    /// Tells HTTP from TLS, HTTP/2 and anything else by the first bytes of either direction;
    /// which direction carries requests follows from the same look.
    mutating func recognise(_ d: Int, _ data: UnsafeRawBufferPointer, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        if !dirs[d].sniffed.isEmpty {
            var joined = dirs[d].sniffed
            joined.append(contentsOf: data)
            dirs[d].sniffed.removeAll()
            joined.withUnsafeBytes { recogniseBytes(d, $0, time: time, context: &context, sink: sink) }
        } else {
            recogniseBytes(d, data, time: time, context: &context, sink: sink)
        }
    }

    mutating func recogniseBytes(_ d: Int, _ data: UnsafeRawBufferPointer, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        var start = 0
        var found = StartLineSniffer.classify(data, at: 0)
        if found == .needMoreData, data.count < Self.sniffLimit, dirs[d].unrecognised == 0 {
            dirs[d].sniffed.append(contentsOf: data)
            return
        }
        if found == .unknown || found == .needMoreData {
            // Picked up mid-stream (or after a gap): look for a start line further on.
            let request = StartLineSniffer.nextMessageStart(data, from: 0, request: true)
            let response = StartLineSniffer.nextMessageStart(data, from: 0, request: false)
            switch (request, response) {
            case (let q?, let r?): start = min(q, r); found = q < r ? .request : .response
            case (let q?, nil): start = q; found = .request
            case (nil, let r?): start = r; found = .response
            case (nil, nil):
                dirs[d].unrecognised += data.count
                if dirs[d].unrecognised + dirs[1 - d].unrecognised > Self.recognitionLimit {
                    become(.other, context: &context)
                }
                return
            }
        }
        switch found {
        case .tls:
            become(.tls, context: &context)
        case .http2:
            become(.http2, context: &context)
        case .request, .response:
            let requestDir = found == .request ? d : 1 - d
            startHTTP(requestDirection: requestDir, context: &context)
            run(d, data.slice(start, data.count), time: time, context: &context, sink: sink)
            // The other direction may have kept a few bytes while waiting to be recognised.
            let o = 1 - d
            if !dirs[o].sniffed.isEmpty {
                let kept = dirs[o].sniffed
                dirs[o].sniffed.removeAll()
                kept.withUnsafeBytes { run(o, $0, time: time, context: &context, sink: sink) }
            }
        case .unknown, .needMoreData:
            return
        }
    }

    mutating func become(_ k: Kind, context: inout CaptureContext) {
        kind = k
        switch k {
        case .tls: context.counters.tlsFlows &+= 1
        case .http2: context.counters.http2Flows &+= 1
        case .other: context.counters.otherFlows &+= 1
        case .http: context.counters.httpFlows &+= 1
        case .undetermined: break
        }
        if k != .http {
            // Nothing of it will be parsed: let go of buffered bytes.
            for d in 0..<2 {
                context.bufferedBytes -= dirs[d].stream.bufferedBytes
                dirs[d].stream.markEnded()
                dirs[d].sniffed = []
            }
        }
    }

    mutating func startHTTP(requestDirection r: Int, context: inout CaptureContext) {
        become(.http, context: &context)
        requestDirection = r
        clientText = Array(key.source(of: r).text.utf8)
        let c = context.configuration
        for d in 0..<2 {
            var decoder = HTTPMessageDecoder(
                role: d == r ? .request : .response, maxHeadBytes: c.maxHeadBytes, clientHeader: context.clientHeaderName)
            // A direction that already carried unrecognised bytes is mid-message: find the next start.
            if dirs[d].unrecognised > 0 { decoder.resynchronise() }
            dirs[d].decoder = decoder
        }
    }

    /// Runs a direction's decoder over `data` and acts on every event.
    mutating func run(_ d: Int, _ data: UnsafeRawBufferPointer, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        var offset = 0
        // Optional chaining decodes in place; `decoder != nil` took a copy of the whole decoder
        // (an outlined copy and a memmove per segment, 8 % of a capture's reading thread).
        while let event = dirs[d].decoder?.decode(data, at: &offset, time: time) {
            handle(event, from: d, time: time, context: &context, sink: sink)
        }
    }

    mutating func handle(_ event: HTTPMessageDecoder.Event, from d: Int, time: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        let fromClient = d == requestDirection
        switch event {
        case .head:
            if fromClient {
                if let dropped = pending.push(dirs[d].decoder!.head, clientHeader: !context.clientHeaderName.isEmpty) {
                    context.counters.pendingOverflows &+= 1
                    context.counters.unanswered &+= 1
                    emit(dropped, status: -1, bytes: -1, responseTime: -1, sink: sink)
                }
            } else {
                responseHead(dirs[d].decoder!.head, from: d, context: &context, sink: sink)
            }
        case .end(let bytes):
            if !fromClient { responseEnd(bytes: bytes, context: &context, sink: sink) }
        case .rawResponse:
            if let first = pending.first, first.isHTTP09 {
                // HTTP/0.9: the reply is the bare body, up to the close; no status.
                active = pending.popFirst()
                activeStatus = -1
                activeResponseTime = time
                activeInterim = false
            } else {
                context.counters.resyncs &+= 1
                dirs[d].decoder?.resynchronise()
            }
        case .lostSync:
            context.counters.resyncs &+= 1
            if !fromClient, let r = active {
                emit(r, status: activeStatus, bytes: -1, responseTime: activeResponseTime, sink: sink)
                active = nil
                pending.release(keeping: &active)
            }
            activeInterim = false
        case .resynced:
            break
        }
    }

    mutating func responseHead(_ h: HTTPHead, from d: Int, context: inout CaptureContext, sink: ExchangeSink) {
        if h.truncated {
            // Status known, framing lost to a gap: report it and look for the next response.
            context.counters.resyncs &+= 1
            dirs[d].decoder!.resynchronise()
            activeInterim = false
            guard h.status >= 200 else { return }
            if let request = pending.popFirst() {
                emit(request, status: h.status, bytes: -1, responseTime: h.startTime, sink: sink)
            } else {
                context.counters.orphanResponses &+= 1
            }
            active = nil
            pending.release(keeping: &active)
            return
        }
        if h.status < 200 && h.status != 101 {
            // 100 Continue, 103 Early Hints: the final response follows.
            activeInterim = true
            dirs[d].decoder!.setFraming(.none)
            return
        }
        activeInterim = false
        let request = pending.popFirst()
        if request == nil { context.counters.orphanResponses &+= 1 }
        let framing = h.responseFraming(requestMethodIsHEAD: request?.isHEAD ?? false, requestIsCONNECT: request?.isCONNECT ?? false)
        if framing == .tunnel {
            // Upgraded or tunnelled: report now, the rest of the connection is not HTTP/1.
            if let request { emit(request, status: h.status, bytes: -1, responseTime: h.startTime, sink: sink) }
            dirs[0].decoder?.becomeTunnel()
            dirs[1].decoder?.becomeTunnel()
            while let r = pending.popFirst() {
                context.counters.unanswered &+= 1
                emit(r, status: -1, bytes: -1, responseTime: -1, sink: sink)
            }
            active = nil
            pending.release(keeping: &active)
            return
        }
        active = request
        activeStatus = h.status
        activeResponseTime = h.startTime
        dirs[d].decoder!.setFraming(framing)
    }

    mutating func responseEnd(bytes: Int64, context: inout CaptureContext, sink: ExchangeSink) {
        if activeInterim {
            activeInterim = false
            return
        }
        if let r = active {
            emit(r, status: activeStatus, bytes: bytes, responseTime: activeResponseTime, sink: sink)
            active = nil
        }
        pending.release(keeping: &active)
    }

    func emit(_ r: PendingRequest, status: Int32, bytes: Int64, responseTime: Int64, sink: ExchangeSink) {
        pending.withFields(of: r) { f in
            clientText.withUnsafeBytes { clientBytes in
                var v = ExchangeView()
                v.time = r.time
                if r.validStartLine {
                    v.method = f.method
                    v.setTarget(f.target)
                } else {
                    v.method = .empty
                    v.path = f.target
                }
                v.host = f.host
                v.userAgent = f.userAgent
                v.requestID = f.requestID
                v.client = f.client ?? clientBytes
                v.status = status
                v.bytes = status >= 0 ? bytes : -1
                v.latencyMicros = responseTime >= 0 ? max(0, responseTime - r.time) : -1
                sink(&v, number)
            }
        }
    }
}
