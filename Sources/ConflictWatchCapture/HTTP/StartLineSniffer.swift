import ConflictWatchCore

/// Recognises what a stream carries from its first bytes (no port numbers: HTTP runs on any
/// port), and finds the next request or status line after a gap or a mid-stream start.
package enum StartLineSniffer {
    package enum Kind: Equatable {
        case request
        case response
        case tls
        case http2
        /// Not recognisable here (maybe the middle of a body); scan on.
        case unknown
        /// Too few bytes to tell.
        case needMoreData
    }

    static let lf: UInt8 = 0x0A
    static let maxMethodLength = 24

    package static func classify(_ d: UnsafeRawBufferPointer, at i: Int) -> Kind {
        let rest = d.count - i
        guard rest > 0 else { return .needMoreData }
        let c = d[i]
        if c == 0x16 {
            // TLS handshake record: content type 22, version 3.x.
            guard rest >= 3 else { return .needMoreData }
            return d[i + 1] == 0x03 && d[i + 2] <= 0x04 ? .tls : .unknown
        }
        if c == 0x50, matchesPrefix(d, i, "PRI * HTTP/2.0") { return rest >= 14 ? .http2 : .needMoreData }
        if c == 0x48, matchesPrefix(d, i, "HTTP/") { return rest >= 5 ? .response : .needMoreData }
        return requestLineStart(d, at: i)
    }

    /// True when the bytes at `i` are `prefix` or a beginning of it that runs to the end.
    @inline(__always)
    static func matchesPrefix(_ d: UnsafeRawBufferPointer, _ i: Int, _ prefix: StaticString) -> Bool {
        let n = min(prefix.utf8CodeUnitCount, d.count - i)
        let p = prefix.utf8Start
        for k in 0..<n where d[i + k] != p[k] { return false }
        return true
    }

    /// `METHOD SP target-start`: an upper-case method token (unknown methods included) and a
    /// target that starts like one (`/`, `*`, or an absolute/authority form).
    static func requestLineStart(_ d: UnsafeRawBufferPointer, at i: Int) -> Kind {
        var k = i
        while k < d.count, k - i <= maxMethodLength {
            let c = d[k]
            if c == 0x20 {
                guard k > i else { return .unknown }
                guard k + 1 < d.count else { return .needMoreData }
                let t = d[k + 1]
                return t == 0x2F || t == 0x2A || (t | 0x20) &- 0x61 < 26 || t &- 0x30 < 10 ? .request : .unknown
            }
            guard c &- 0x41 < 26 || c == 0x5F || c == 0x2D else { return .unknown }
            k += 1
        }
        return k - i > maxMethodLength ? .unknown : .needMoreData
    }

    /// The first offset at or after `from` where a message of the wanted kind plausibly starts.
    /// A status line is looked for anywhere (`HTTP/1.x DDD` is distinctive, and a body overrun
    /// by a gap leaves it glued to body bytes); a request line only at `from` or just after a
    /// line feed, and it must be followed on the same line by ` HTTP/1.` (when the line is
    /// complete here), so body text such as "GET READY" is not taken for a request.
    package static func nextMessageStart(_ d: UnsafeRawBufferPointer, from: Int, request: Bool) -> Int? {
        var i = from
        if !request {
            while let h = d.firstIndex(of: 0x48, from: i) {
                if isMessageStart(d, at: h, request: false) { return h }
                i = h + 1
            }
            return nil
        }
        while i < d.count {
            if isMessageStart(d, at: i, request: true) { return i }
            guard let nl = d.firstIndex(of: lf, from: i) else { return nil }
            i = nl + 1
        }
        return nil
    }

    @inline(__always)
    static func isMessageStart(_ d: UnsafeRawBufferPointer, at i: Int, request: Bool) -> Bool {
        if !request {
            guard d.count - i >= 9 else { return false }
            return matchesPrefix(d, i, "HTTP/1.") && d[i + 7] &- 0x30 < 10 && d[i + 8] == 0x20
        }
        guard requestLineStart(d, at: i) == .request else { return false }
        let end = d.firstIndex(of: lf, from: i) ?? d.count
        guard end < d.count else { return true }
        let line = d.slice(i, end)
        var k = 0
        while let sp = line.firstIndex(of: 0x20, from: k) {
            if line.slice(sp, line.count).hasPrefix(" HTTP/1.") { return true }
            k = sp + 1
        }
        return false
    }
}
