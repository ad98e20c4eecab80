import ConflictWatchCapture

/// One direction's `StreamReassembler` driven the way `Connection` drives it (deliver, buffer
/// ahead of a hole, drain, give up on a hole when the buffer is full, end at the FIN), checked
/// against what reassembly promises: every byte handed on is the byte at the next stream
/// position, whatever order and overlap the segments came in.
///
/// Input: a 32-bit initial sequence number, a byte whose low bit says whether a SYN was seen,
/// then records of a signed 16-bit sequence offset, a length, and a flag byte (low nibble: bytes
/// cut off by the snapshot length; 0x80: FIN after this segment).
enum ReassemblyHarness {
    /// Every segment carries the byte for each sequence number, so any byte can be checked.
    static func value(_ sequence: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: (sequence &* 2_654_435_761) >> 24) }

    static func distance(_ a: UInt32, _ b: UInt32) -> Int { Int(Int32(bitPattern: a &- b)) }

    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let isn = input.uint32()
        var stream = StreamReassembler(maxSegments: 6, maxBytes: 600)
        if input.byte() & 1 == 1 { stream.syn(isn) }

        func deliver(_ sequence: UInt32, _ bytes: UnsafeRawBufferPointer, skip: Int, wireLength: Int) {
            precondition(sequence &+ UInt32(skip) == stream.nextSequence, "delivery does not start at the next byte")
            if skip < bytes.count {
                for k in skip..<bytes.count {
                    precondition(bytes[k] == value(sequence &+ UInt32(k)), "a buffered segment's bytes changed")
                }
            }
            stream.advance(by: max(0, wireLength - skip))
        }
        func drain() {
            while let segment = stream.popReady() {
                let skip = -distance(segment.sequence, stream.nextSequence)
                precondition(skip >= 0, "popReady gave a segment that is still ahead of a hole")
                if skip >= segment.wireLength { continue }
                segment.bytes.withUnsafeBytes { deliver(segment.sequence, $0, skip: skip, wireLength: segment.wireLength) }
            }
        }
        func flushHole() {
            let hole = stream.holeBeforeBuffered
            if hole > 0 { stream.advance(by: hole) }
            drain()
        }
        func checkBuffer() {
            precondition(stream.buffered.count <= stream.maxSegments && stream.bufferedBytes <= stream.maxBytes, "buffer bounds exceeded")
            precondition(stream.bufferedBytes == stream.buffered.reduce(0) { $0 + $1.bytes.count }, "bufferedBytes disagrees with the buffer")
            for (a, b) in zip(stream.buffered, stream.buffered.dropFirst()) {
                precondition(distance(b.sequence, a.sequence) >= 0, "buffered segments out of order")
            }
        }

        while !input.isAtEnd {
            let offset = Int16(bitPattern: UInt16(input.uint16()))
            let wireLength = Int(input.byte())
            let flags = input.byte()
            let captured = max(0, wireLength - Int(flags & 0x0F))
            let sequence = isn &+ 1 &+ UInt32(bitPattern: Int32(offset))
            let payload = (0..<captured).map { value(sequence &+ UInt32($0)) }
            payload.withUnsafeBytes { raw in
                withExactCopy(raw) { bytes in
                    switch stream.placement(sequence: sequence, length: wireLength) {
                    case .old:
                        break
                    case .deliver(let skip):
                        precondition(skip >= 0 && (skip < wireLength || wireLength == 0), "deliver skips the whole segment")
                        deliver(sequence, bytes, skip: skip, wireLength: wireLength)
                        drain()
                    case .ahead:
                        precondition(distance(sequence, stream.nextSequence) > 0, "ahead but not after the next byte")
                        if stream.store(sequence: sequence, bytes: bytes, wireLength: wireLength, time: 0) { break }
                        flushHole()
                        switch stream.placement(sequence: sequence, length: wireLength) {
                        case .old:
                            break
                        case .deliver(let skip):
                            deliver(sequence, bytes, skip: skip, wireLength: wireLength)
                            drain()
                        case .ahead:
                            if stream.store(sequence: sequence, bytes: bytes, wireLength: wireLength, time: 0) { break }
                            stream.advance(by: distance(sequence, stream.nextSequence))
                            deliver(sequence, bytes, skip: 0, wireLength: wireLength)
                        }
                    }
                }
            }
            checkBuffer()
            if flags & 0x80 != 0 { stream.fin(at: sequence &+ UInt32(wireLength)) }
            if stream.reachedFin { break }
        }
        // The end of the direction: what is buffered will not be completed any more.
        while !stream.buffered.isEmpty {
            let before = stream.buffered.count
            flushHole()
            precondition(stream.buffered.count < before, "flushing a hole made no progress")
        }
        let missing = stream.missingBeforeFin
        if missing > 0 { stream.advance(by: missing) }
        stream.markEnded()
        precondition(stream.buffered.isEmpty && stream.bufferedBytes == 0, "markEnded kept buffered bytes")
    }
}
