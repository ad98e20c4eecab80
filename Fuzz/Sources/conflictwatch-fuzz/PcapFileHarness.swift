import ConflictWatchCapture

/// A whole capture file (byte 0: how the bytes are handed out, the rest: the file) read by
/// `PcapFileReader` and by libpcap. When the reader takes the file, both must give the same
/// packets (time, bytes, length on the wire) and end the same way: libpcap is the oracle.
enum PcapFileHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let plan = input.byte()
        let file = Array(input.rest())
        var header: [UInt8] = []
        guard let reader = PcapFileReader.open(ChunkedStream(file, plan: plan), header: &header) else {
            precondition(header == Array(file.prefix(header.count)), "the bytes given back are not the file's first")
            return
        }
        guard let handle = try? PcapHandle.open(stream: ChunkedStream(file, plan: 0), name: "fuzz") else {
            preconditionFailure("libpcap refuses a file the reader took")
        }
        while true {
            let ours = reader.next(), theirs = handle.next()
            switch (ours, theirs) {
            case (.packet(let t1, let d1, let w1), .packet(let t2, let d2, let w2)):
                precondition(t1 == t2 && w1 == w2 && d1.elementsEqual(d2), "a packet differs from libpcap's")
                ViewReader.read(d1)
            case (.end, .end):
                return
            case (.failure(let m1), .failure(let m2)):
                precondition(m1 == m2, "the reader says '\(m1)', libpcap '\(m2)'")
                return
            default:
                preconditionFailure("the reader and libpcap end differently: \(ours) vs \(theirs)")
            }
        }
    }

    /// The file handed out whole (plan 0) or in reads of 1 to `plan` bytes, cycling.
    final class ChunkedStream: CaptureByteStream {
        let bytes: [UInt8]
        var offset = 0
        let plan: Int
        var step = 0
        let failure: String? = nil

        init(_ bytes: [UInt8], plan: UInt8) {
            self.bytes = bytes
            self.plan = Int(plan)
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
            var n = min(buffer.count, bytes.count - offset)
            if plan > 0 {
                step += 1
                n = min(n, 1 + step % plan)
            }
            guard n > 0 else { return 0 }
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
            return n
        }
    }
}
