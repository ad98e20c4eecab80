import ConflictWatchCore

/// Frames a byte stream into lines, whatever the chunks it arrives in: the one splitter behind
/// the offline reader (files, stdin, gzip) and the tailer, so a fix to line handling is made once.
///
/// A line that lies inside one chunk is handed out as a view into that chunk (no copy); only a
/// line split across chunks is gathered in a buffer that keeps its capacity, so no line costs an
/// allocation once the buffer has grown. A trailing `\r` is removed. A line longer than
/// `maxLineLength` is reported once as `.tooLong` with its first `LineLimits.sampleLength` bytes
/// and skipped to its newline, keeping only that sample: one hostile line costs no memory.
/// A partial last line waits for its newline (`feed`); `finish` hands it out at the end of an
/// input that will not grow (the offline reader); the tailer never calls it.
public struct LineFramer {
    public enum Event: Sendable, Equatable { case line, tooLong }

    public let maxLineLength: Int
    /// End of the last complete line handed out, in bytes from the start of the stream (plus
    /// the `offset` it started at): what a checkpoint stores.
    public private(set) var offset: Int64
    /// Complete lines handed out (plus the `lines` it started at).
    public private(set) var lines: Int64
    /// The unfinished line's bytes so far; once it is known to be too long, only its sample.
    private var partial: [UInt8] = []
    /// Bytes of an overlong unfinished line dropped beyond its sample.
    private var skipped = 0
    private var skipping = false

    public init(maxLineLength: Int = LineLimits.defaultMaxLineLength, offset: Int64 = 0, lines: Int64 = 0) {
        self.maxLineLength = maxLineLength
        self.offset = offset
        self.lines = lines
    }

    /// Bytes fed after the last complete line: the unfinished line's length so far.
    public var pendingBytes: Int { partial.count + skipped }

    /// Starts again at `offset` with nothing pending (a file truncated under the tailer).
    public mutating func reset(offset: Int64 = 0, lines: Int64 = 0) {
        self.offset = offset
        self.lines = lines
        partial.removeAll(keepingCapacity: true)
        skipped = 0
        skipping = false
    }

    /// Hands every line `chunk` completes to `body`; keeps the start of an unfinished one.
    /// The bytes given to `body` are valid only during the call.
    @inline(__always)
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, Event) -> Void) {
        var start = 0
        while start < chunk.count {
            guard let nl = chunk.firstIndex(of: 0x0A, from: start) else {  // memchr, not a byte loop
                append(UnsafeRawBufferPointer(rebasing: chunk[start...]))
                return
            }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<nl])
            let length = pendingBytes + piece.count
            if skipping || length > maxLineLength {
                if partial.isEmpty {
                    body(UnsafeRawBufferPointer(rebasing: piece.prefix(LineLimits.sampleLength)), .tooLong)
                } else {
                    append(piece)
                    partial.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(LineLimits.sampleLength)), .tooLong) }
                }
            } else if partial.isEmpty {
                body(Self.trimCR(piece), .line)
            } else {
                partial.append(contentsOf: piece)
                partial.withUnsafeBytes { body(Self.trimCR($0), .line) }
            }
            offset += Int64(length + 1)
            lines += 1
            partial.removeAll(keepingCapacity: true)
            skipped = 0
            skipping = false
            start = nl + 1
        }
    }

    /// The end of the input: an unfinished last line is still a line.
    public mutating func finish(_ body: (UnsafeRawBufferPointer, Event) -> Void) {
        let length = pendingBytes
        guard length > 0 else { return }
        if skipping || length > maxLineLength {
            partial.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(LineLimits.sampleLength)), .tooLong) }
        } else {
            partial.withUnsafeBytes { body(Self.trimCR($0), .line) }
        }
        offset += Int64(length)
        lines += 1
        partial.removeAll(keepingCapacity: true)
        skipped = 0
        skipping = false
    }

    /// Keeps the start of an unfinished line; past the limit only its sample, counting the rest.
    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if skipping {
            skipped += bytes.count
            return
        }
        if partial.count + bytes.count <= maxLineLength {
            partial.append(contentsOf: bytes)
            return
        }
        let keep = max(0, min(bytes.count, LineLimits.sampleLength - partial.count))
        if partial.count > LineLimits.sampleLength {
            skipped = partial.count - LineLimits.sampleLength
            partial.removeLast(skipped)
        }
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes.prefix(keep)))
        skipped += bytes.count - keep
        skipping = true
    }

    @inline(__always)
    private static func trimCR(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let last = b.last, last == 0x0D { return UnsafeRawBufferPointer(rebasing: b.dropLast()) }
        return b
    }
}
