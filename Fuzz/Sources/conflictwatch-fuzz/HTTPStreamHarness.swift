import ConflictWatchCapture

/// One direction of an HTTP/1.x connection through `HTTPMessageDecoder`, the stream cut into
/// chunks of odd sizes with capture gaps between some of them, as reassembled TCP hands it on.
///
/// Input: a flag byte (0x01 response direction, 0x02 an X-Forwarded-For client header, 0x04 the
/// request was HEAD, 0x08 it was CONNECT, 0x10 leave a response's framing to the decoder), a
/// plan length (low nibble) and that many plan bytes, then the stream. Plan byte i applies to
/// chunk i (cycling): 0xC0…0xFF skip (low six bits) + 1 bytes as a gap, anything else
/// is a chunk of (byte & 0x7F) + 1 bytes.
enum HTTPStreamHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let flags = input.byte()
        let plan = Array(input.take(Int(input.byte() & 0x0F)))
        let stream = input.rest()
        let role: HTTPMessageDecoder.Role = flags & 0x01 != 0 ? .response : .request
        var decoder = HTTPMessageDecoder(role: role, maxHeadBytes: 1024, clientHeader: flags & 0x02 != 0 ? Array("x-forwarded-for".utf8) : [])

        func handle(_ event: HTTPMessageDecoder.Event) {
            guard case .head = event else { return }
            let h = decoder.head
            // Views into the chunk or the decoder's head buffer, valid until the next call.
            for v in [h.method, h.target] { ViewReader.read(v) }
            for v in [h.host, h.userAgent, h.requestID, h.clientHeader] { ViewReader.read(v) }
            if role == .response, flags & 0x10 == 0, !h.truncated {
                decoder.setFraming(h.responseFraming(requestMethodIsHEAD: flags & 0x04 != 0, requestIsCONNECT: flags & 0x08 != 0))
            }
        }
        func decode(_ chunk: UnsafeRawBufferPointer) {
            var offset = 0
            var events = 0
            while let event = decoder.decode(chunk, at: &offset, time: Int64(offset)) {
                precondition(offset <= chunk.count, "offset past the chunk")
                events += 1
                precondition(events <= 2 * chunk.count + 8, "the decoder keeps returning events without consuming bytes")
                handle(event)
            }
            precondition(offset <= chunk.count, "offset past the chunk")
        }

        var position = 0
        var step = 0
        while position < stream.count {
            let p = plan.isEmpty ? 0x7F : plan[step % plan.count]
            step += 1
            if p >= 0xC0 {
                let gap = min(Int(p & 0x3F) + 1, stream.count - position)
                position += gap
                if let event = decoder.skip(gap) { handle(event) }
                decode(UnsafeRawBufferPointer(start: nil, count: 0))
                continue
            }
            let n = plan.isEmpty ? stream.count - position : min(Int(p & 0x7F) + 1, stream.count - position)
            withExactCopy(UnsafeRawBufferPointer(rebasing: stream[position..<position + n])) { decode($0) }
            position += n
        }
        if let event = decoder.finish() { handle(event) }
    }
}
