import ConflictWatchCapture
import ConflictWatchCore

/// A capture replayed through `ExchangeReconstructor`: link layer, TCP reassembly, HTTP
/// decoding and request/response matching together. Byte 0 picks the link type (and, in its
/// high bit, an X-Forwarded-For client header); then records of a 16-bit big-endian frame
/// length, a one-byte clock step and the frame. The bounds are tiny so eviction, buffer limits
/// and idle sweeps all happen within one input.
enum PacketStreamHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        var input = FuzzInput(data)
        let first = input.byte()
        var configuration = CaptureConfiguration()
        configuration.maxFlows = 4
        configuration.maxPendingRequests = 4
        configuration.maxBufferedSegments = 8
        configuration.maxBufferedBytesPerDirection = 4096
        configuration.maxBufferedBytes = 12_288
        configuration.maxHeadBytes = 2048
        if first & 0x80 != 0 { configuration.clientHeader = "x-forwarded-for" }
        var reconstructor = ExchangeReconstructor(linkType: LinkTypes.pick(first & 0x7F), configuration: configuration)
        let sink: (inout ExchangeView, Int) -> Void = { view, _ in ViewReader.read(view) }
        var time: Int64 = 1_700_000_000_000_000
        while !input.isAtEnd {
            let length = input.uint16()
            time += clockStep(input.byte())
            let frame = input.take(length)
            withExactCopy(frame) { reconstructor.process(time: time, frame: $0, sink: sink) }
            precondition(reconstructor.flowCount <= configuration.maxFlows, "more flows than maxFlows")
        }
        reconstructor.advanceClock(to: time + 1_000_000, sink: sink)
        reconstructor.finish(sink: sink)
    }

    /// Mostly small steps (µs to ms), sometimes past the idle timeout, sometimes backwards (captures
    /// merged from several interfaces are not strictly ordered).
    static func clockStep(_ b: UInt8) -> Int64 {
        switch b {
        case 0xFF: 130_000_000
        case 0xFE: -2_000_000
        default: Int64(b) * 1_000
        }
    }
}
