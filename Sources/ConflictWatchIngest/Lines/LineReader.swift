#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte source into lines without copying them: each line is handed out as a view
/// into a large read buffer (memchr finds the newlines). A line longer than `maxLineLength` is
/// reported as `.tooLong` and skipped to its newline, so one hostile line costs no memory.
/// A trailing `\r` is removed; a last line without a newline is still a line.
public final class LineReader {
    public enum Event { case line, tooLong }

    public let maxLineLength: Int
    private let buffer: UnsafeMutableRawBufferPointer
    public private(set) var lineNumber = 0

    public init(maxLineLength: Int = 65_536, chunkSize: Int = 1 << 20) {
        self.maxLineLength = maxLineLength
        buffer = .allocate(byteCount: max(chunkSize, maxLineLength * 2), alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Reads `source` to its end. `initial` are bytes already taken from it (sniffed magic).
    /// `chunk` is called after each read with the bytes consumed and lines seen so far (progress).
    public func run(
        _ source: inout any ByteSource, initial: [UInt8] = [],
        chunk: (UInt64, Int) -> Void = { _, _ in },
        _ body: (UnsafeRawBufferPointer, Event, Int) -> Void
    ) throws(IngestError) {
        let base = buffer.baseAddress!
        var filled = 0
        if !initial.isEmpty {
            initial.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: initial.count) }
            filled = initial.count
        }
        var skipping = false  // inside an overlong line, discarding to its newline
        var eof = false
        while !eof {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: base + filled, count: buffer.count - filled))
            if n == 0 { eof = true }
            filled += n
            chunk(source.bytesConsumed, lineNumber)
            var start = 0
            let all = UnsafeRawBufferPointer(start: base, count: filled)
            while start < filled {
                guard let nl = all.firstIndex(of: 0x0A, from: start) else { break }
                lineNumber += 1
                if skipping {
                    skipping = false
                    body(UnsafeRawBufferPointer(start: base + start, count: min(nl - start, 200)), .tooLong, lineNumber)
                } else if nl - start > maxLineLength {
                    body(UnsafeRawBufferPointer(start: base + start, count: 200), .tooLong, lineNumber)
                } else {
                    var end = nl
                    if end > start, all[end - 1] == 0x0D { end -= 1 }
                    body(UnsafeRawBufferPointer(start: base + start, count: end - start), .line, lineNumber)
                }
                start = nl + 1
            }
            let rest = filled - start
            if eof {
                if rest > 0 {
                    lineNumber += 1
                    if skipping || rest > maxLineLength {
                        body(UnsafeRawBufferPointer(start: base + start, count: min(rest, 200)), .tooLong, lineNumber)
                    } else {
                        var end = filled
                        if all[end - 1] == 0x0D { end -= 1 }
                        body(UnsafeRawBufferPointer(start: base + start, count: end - start), .line, lineNumber)
                    }
                }
                break
            }
            if rest > maxLineLength {
                // No newline within the limit: remember we are in an overlong line, keep 200
                // bytes as its sample and drop the rest as it arrives.
                if !skipping { memmove(base, base + start, 200) }
                skipping = true
                filled = 200
                continue
            }
            if rest > 0, start > 0 { memmove(base, base + start, rest) }
            filled = rest
        }
    }
}
