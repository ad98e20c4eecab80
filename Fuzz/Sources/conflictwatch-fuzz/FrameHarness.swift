import ConflictWatchCapture

/// One frame decoded down to its TCP segment: byte 0 picks the link type, the rest is the frame.
enum FrameHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        var decoder = PacketDecoder(linkType: LinkTypes.pick(input.byte()))
        var segment = TCPSegment()
        withExactCopy(input.rest()) { frame in
            guard decoder.decode(frame, into: &segment) else { return }
            let p = segment.payload
            if p.count > 0 {
                precondition(p.baseAddress! >= frame.baseAddress! && p.baseAddress! + p.count <= frame.baseAddress! + frame.count,
                             "the TCP payload is not inside its frame")
            }
            ViewReader.read(p)
        }
    }
}
