import ConflictWatchCore

/// Requests of one connection in the order they were sent, waiting to be paired with responses
/// in the same order (HTTP/1.1 pipelining). Bounded like Zeek's (100 by default): when full,
/// the oldest is handed back to be reported unanswered. Fields live in one arena per connection
/// that is reset whenever nothing references it, so steady keep-alive traffic allocates nothing.
package struct PendingRequestQueue {
    package let capacity: Int
    private var ring: [PendingRequest] = []
    private var head = 0
    package private(set) var count = 0
    private(set) var arena: [UInt8] = []

    /// Longest field kept (bytes); longer values are cut. Keeps a hostile connection's arena
    /// within capacity × these.
    static let maxTarget = 8192
    static let maxHost = 512
    static let maxOther = 512

    package init(capacity: Int = 100) { self.capacity = max(1, capacity) }

    package var isEmpty: Bool { count == 0 }
    package var first: PendingRequest? { count > 0 ? ring[head] : nil }

    /// Queues a request; returns the oldest one when the queue was full (it is dropped).
    package mutating func push(_ h: HTTPHead, clientHeader: Bool) -> PendingRequest? {
        var overflow: PendingRequest? = nil
        if count == capacity { overflow = popFirst() }
        let r = PendingRequest(
            time: h.startTime,
            method: store(h.method, max: Self.maxOther),
            target: store(h.target, max: Self.maxTarget),
            host: store(h.host, max: Self.maxHost),
            userAgent: store(h.userAgent, max: Self.maxOther),
            requestID: store(h.requestID, max: Self.maxOther),
            client: clientHeader ? store(Self.firstHop(h.clientHeader), max: Self.maxOther) : .absent,
            isHEAD: h.method.equals("HEAD"),
            isCONNECT: h.method.equals("CONNECT"),
            isHTTP09: h.isHTTP09,
            validStartLine: h.validStartLine)
        if ring.count < capacity {
            ring.append(r)
        } else {
            ring[(head + count) % capacity] = r
        }
        count += 1
        return overflow
    }

    package mutating func popFirst() -> PendingRequest? {
        guard count > 0 else { return nil }
        let r = ring[head]
        head = (head + 1) % capacity
        count -= 1
        // Appending while the ring is still growing assumes it starts at 0.
        if count == 0 { head = 0; if ring.count < capacity { ring.removeAll(keepingCapacity: true) } }
        return r
    }

    /// Called once a popped request is no longer needed: reclaims the arena when nothing else
    /// references it, and compacts it when a long pipelined run keeps it busy.
    package mutating func release(keeping active: inout PendingRequest?) {
        if count == 0 && active == nil {
            arena.removeAll(keepingCapacity: arena.capacity <= 1 << 16)
            return
        }
        guard arena.count > 1 << 16 else { return }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(1 << 12)
        func move(_ s: PendingRequest.Span) -> PendingRequest.Span {
            guard s.count >= 0 else { return s }
            let start = Int32(fresh.count)
            fresh.append(contentsOf: arena[Int(s.start)..<Int(s.start + s.count)])
            return PendingRequest.Span(start: start, count: s.count)
        }
        func moveAll(_ r: inout PendingRequest) {
            r.method = move(r.method)
            r.target = move(r.target)
            r.host = move(r.host)
            r.userAgent = move(r.userAgent)
            r.requestID = move(r.requestID)
            r.client = move(r.client)
        }
        if var a = active { moveAll(&a); active = a }
        for k in 0..<count { moveAll(&ring[(head + k) % capacity]) }
        arena = fresh
    }

    /// Gives views of a request's fields (valid inside `body` only).
    @inline(__always)
    package func withFields<R>(of r: PendingRequest, _ body: (RequestFields) -> R) -> R {
        arena.withUnsafeBytes { a in
            body(RequestFields(
                method: Self.view(a, r.method) ?? .empty, target: Self.view(a, r.target) ?? .empty,
                host: Self.view(a, r.host), userAgent: Self.view(a, r.userAgent),
                requestID: Self.view(a, r.requestID), client: Self.view(a, r.client)))
        }
    }

    package struct RequestFields {
        package var method: UnsafeRawBufferPointer
        package var target: UnsafeRawBufferPointer
        package var host: UnsafeRawBufferPointer?
        package var userAgent: UnsafeRawBufferPointer?
        package var requestID: UnsafeRawBufferPointer?
        package var client: UnsafeRawBufferPointer?
    }

    @inline(__always)
    static func view(_ a: UnsafeRawBufferPointer, _ s: PendingRequest.Span) -> UnsafeRawBufferPointer? {
        guard s.count >= 0 else { return nil }
        return s.count == 0 ? .empty : a.slice(Int(s.start), Int(s.start + s.count))
    }

    @inline(__always)
    private mutating func store(_ v: UnsafeRawBufferPointer?, max: Int) -> PendingRequest.Span {
        guard let v else { return .absent }
        let n = min(v.count, max)
        let start = Int32(arena.count)
        if n > 0 { arena.append(contentsOf: UnsafeRawBufferPointer(start: v.baseAddress, count: n)) }
        return PendingRequest.Span(start: start, count: Int32(n))
    }

    /// X-Forwarded-For's first hop: the text before the first comma, trimmed.
    static func firstHop(_ v: UnsafeRawBufferPointer?) -> UnsafeRawBufferPointer? {
        guard let v else { return nil }
        var end = v.firstIndex(of: 0x2C, from: 0) ?? v.count
        var start = 0
        while start < end, v[start] == 0x20 || v[start] == 0x09 { start += 1 }
        while end > start, v[end - 1] == 0x20 || v[end - 1] == 0x09 { end -= 1 }
        return end > start ? v.slice(start, end) : nil
    }
}
