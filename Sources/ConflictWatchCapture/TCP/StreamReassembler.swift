/// One direction of a TCP connection put back in order. The caller feeds segments and asks
/// what to do with each: deliver (after trimming what was already delivered), buffer (it is
/// ahead of a hole), or drop (a retransmission). Buffered segments are bounded in count and
/// bytes; when a hole cannot be waited for any longer the caller skips it as a gap.
///
/// It owns no HTTP knowledge: delivery is the caller's job, which keeps this a plain value.
public struct StreamReassembler {
    public struct Segment {
        public var sequence: UInt32
        public var bytes: [UInt8]
        /// On the wire; more than `bytes.count` when the frame was cut by the snapshot length.
        public var wireLength: Int
        public var time: Int64
    }

    public enum Placement: Equatable {
        /// Deliver from `skip` bytes into the segment (the rest was delivered before).
        case deliver(skip: Int)
        /// Ahead of the next expected byte: buffer it.
        case ahead
        /// Entirely delivered before (or junk far behind): drop it.
        case old
    }

    public private(set) var started = false
    public private(set) var nextSequence: UInt32 = 0
    public private(set) var buffered: [Segment] = []
    public private(set) var bufferedBytes = 0
    /// Sequence number just past the last data byte, once a FIN was seen.
    public private(set) var finSequence: UInt32? = nil
    public private(set) var ended = false

    public let maxSegments: Int
    public let maxBytes: Int

    /// Segments further ahead than this are not plausible for one connection (a flipped bit,
    /// a reused port): dropped rather than buffered.
    static let maxAhead = 1 << 26

    public init(maxSegments: Int = 64, maxBytes: Int = 256 << 10) {
        self.maxSegments = maxSegments
        self.maxBytes = maxBytes
    }

    /// A SYN fixes the initial sequence number; data starts one after it.
    public mutating func syn(_ sequence: UInt32) {
        guard !started else { return }
        started = true
        nextSequence = sequence &+ 1
    }

    @inline(__always)
    public mutating func placement(sequence: UInt32, length: Int) -> Placement {
        if !started {
            // Mid-stream pick-up: the first segment seen starts the stream.
            started = true
            nextSequence = sequence
        }
        let d = sequenceDistance(sequence, nextSequence)
        if d == 0 { return .deliver(skip: 0) }
        if d > 0 { return d > Self.maxAhead ? .old : .ahead }
        return -d < length ? .deliver(skip: -d) : .old
    }

    /// Records that `count` more bytes (data or a skipped gap) were handed on.
    @inline(__always)
    public mutating func advance(by count: Int) {
        nextSequence = nextSequence &+ UInt32(truncatingIfNeeded: count)
    }

    /// Buffers a segment that is ahead of a hole. False when the bounds would be exceeded (the
    /// caller then gives up on the hole and retries).
    public mutating func store(sequence: UInt32, bytes: UnsafeRawBufferPointer, wireLength: Int, time: Int64) -> Bool {
        guard buffered.count < maxSegments, bufferedBytes + bytes.count <= maxBytes else { return false }
        let segment = Segment(sequence: sequence, bytes: Array(bytes), wireLength: wireLength, time: time)
        // Keep the buffer sorted by sequence; an exact duplicate adds nothing.
        var i = buffered.count
        while i > 0, sequenceDistance(buffered[i - 1].sequence, sequence) > 0 { i -= 1 }
        if i > 0, buffered[i - 1].sequence == sequence, buffered[i - 1].wireLength >= wireLength { return true }
        buffered.insert(segment, at: i)
        bufferedBytes += bytes.count
        return true
    }

    /// The first buffered segment once nothing is missing before it.
    public mutating func popReady() -> Segment? {
        guard let first = buffered.first, sequenceDistance(first.sequence, nextSequence) <= 0 else { return nil }
        bufferedBytes -= first.bytes.count
        return buffered.removeFirst()
    }

    /// Bytes missing before the first buffered segment (0 when none is buffered).
    public var holeBeforeBuffered: Int {
        guard let first = buffered.first else { return 0 }
        return max(0, sequenceDistance(first.sequence, nextSequence))
    }

    public mutating func fin(at sequence: UInt32) {
        if finSequence == nil { finSequence = sequence }
    }

    /// Bytes between the delivered data and the FIN that were never seen (when nothing is
    /// buffered), e.g. a response whose segments the capture missed.
    public var missingBeforeFin: Int {
        guard let fin = finSequence, buffered.isEmpty else { return 0 }
        return max(0, sequenceDistance(fin, nextSequence))
    }

    /// True once every byte up to the FIN was handed on.
    public var reachedFin: Bool {
        guard let fin = finSequence, buffered.isEmpty else { return false }
        return sequenceDistance(fin, nextSequence) <= 0
    }

    public mutating func markEnded() {
        ended = true
        buffered.removeAll()
        bufferedBytes = 0
    }
}
