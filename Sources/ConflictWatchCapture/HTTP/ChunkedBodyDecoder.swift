/// Skips a chunked body (RFC 9112 §7.1): size lines, data, CRLFs and trailers. Framing bytes
/// are read one at a time (they are few); chunk data is skipped by count, so it also survives a
/// capture gap inside a chunk. Bare LF line ends are accepted, as servers and peers do.
package struct ChunkedBodyDecoder: Equatable {
    enum State: Equatable {
        case size
        case extensions
        case sizeLF
        case data(Int64)
        case dataCR
        case dataLF
        case trailerStart
        case trailer
        case finalLF
        case done
    }

    package enum Result: Equatable {
        case needMoreData
        case done
        case invalid
    }

    var state = State.size
    var size: Int64 = 0
    var digits = 0
    /// Chunk data bytes seen (the body length an exchange reports).
    package private(set) var bodyBytes: Int64 = 0

    package init() {}

    package mutating func decode(_ d: UnsafeRawBufferPointer, at offset: inout Int) -> Result {
        var i = offset
        defer { offset = i }
        while i < d.count {
            if case .data(let remaining) = state {
                let n = min(remaining, Int64(d.count - i))
                i += Int(n)
                bodyBytes += n
                state = remaining == n ? .dataCR : .data(remaining - n)
                continue
            }
            let c = d[i]
            i += 1
            switch state {
            case .size:
                if let v = hexValue(c) {
                    guard digits < 15 else { return .invalid }
                    size = size << 4 | Int64(v)
                    digits += 1
                } else if digits == 0 {
                    return .invalid
                } else if c == 0x0D {
                    state = .sizeLF
                } else if c == 0x0A {
                    sizeLineDone()
                } else if c == 0x3B || c == 0x20 || c == 0x09 {
                    state = .extensions
                } else {
                    return .invalid
                }
            case .extensions:
                if c == 0x0A { sizeLineDone() }
            case .sizeLF:
                guard c == 0x0A else { return .invalid }
                sizeLineDone()
            case .dataCR:
                if c == 0x0D { state = .dataLF } else if c == 0x0A { state = .size } else { return .invalid }
            case .dataLF:
                guard c == 0x0A else { return .invalid }
                state = .size
            case .trailerStart:
                if c == 0x0D { state = .finalLF } else if c == 0x0A { state = .done; return .done } else { state = .trailer }
            case .trailer:
                if c == 0x0A { state = .trailerStart }
            case .finalLF:
                guard c == 0x0A else { return .invalid }
                state = .done
                return .done
            case .data, .done:
                return .done
            }
        }
        return .needMoreData
    }

    /// A capture gap of `count` bytes: absorbed when it falls inside chunk data.
    package mutating func skip(_ count: Int) -> Bool {
        guard case .data(let remaining) = state, Int64(count) <= remaining else { return false }
        bodyBytes += Int64(count)
        state = remaining == Int64(count) ? .dataCR : .data(remaining - Int64(count))
        return true
    }

    @inline(__always)
    mutating func sizeLineDone() {
        state = size == 0 ? .trailerStart : .data(size)
        size = 0
        digits = 0
    }

    @inline(__always)
    func hexValue(_ c: UInt8) -> UInt8? {
        if c &- 0x30 < 10 { return c &- 0x30 }
        let l = c | 0x20
        if l &- 0x61 < 6 { return l &- 0x61 &+ 10 }
        return nil
    }
}
