import ConflictWatchCore

/// Reads a byte source (file, stdin, gzip) to its end in large chunks and frames it into lines
/// with `LineFramer`: a line inside a chunk is handed out as a view into the read buffer, and a
/// last line without a newline is still a line.
public final class LineReader {
    public typealias Event = LineFramer.Event

    public let maxLineLength: Int
    private let buffer: UnsafeMutableRawBufferPointer
    /// Lines handed out so far.
    public var lineNumber: Int { Int(framer.lines) }
    private var framer: LineFramer

    public init(maxLineLength: Int = LineLimits.defaultMaxLineLength, chunkSize: Int = 1 << 20) {
        self.maxLineLength = maxLineLength
        framer = LineFramer(maxLineLength: maxLineLength)
        buffer = .allocate(byteCount: chunkSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Reads `source` to its end. `initial` are bytes already taken from it (sniffed magic).
    /// `chunk` is called after each read with the bytes consumed and lines seen so far (progress).
    /// `body` gets each line (valid during the call only), its event and its 1-based number.
    public func run(
        _ source: inout any ByteSource, initial: [UInt8] = [],
        chunk: (UInt64, Int) -> Void = { _, _ in },
        _ body: (UnsafeRawBufferPointer, Event, Int) -> Void
    ) throws(IngestError) {
        var framer = self.framer
        defer { self.framer = framer }
        // Counted here too: `body` may not read the framer while it is feeding.
        var number = Int(framer.lines)
        initial.withUnsafeBytes { bytes in
            framer.feed(bytes) { line, event in
                number += 1
                body(line, event, number)
            }
        }
        while true {
            let n = try source.read(into: buffer)
            chunk(source.bytesConsumed, number)
            if n == 0 { break }
            framer.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n])) { line, event in
                number += 1
                body(line, event, number)
            }
        }
        framer.finish { line, event in
            number += 1
            body(line, event, number)
        }
    }
}
