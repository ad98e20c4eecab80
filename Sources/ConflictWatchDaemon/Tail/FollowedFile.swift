import ConflictWatchCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open file being followed. Reads only whole lines: a partial last line stays in memory
/// until its newline arrives, and `offset` (what a checkpoint stores) is always the end of the
/// last complete line handed out, so a restart re-reads the partial line and nothing else.
final class FollowedFile {
    enum LineEvent { case line, tooLong }

    /// The configured path (or glob match) this file was found at.
    let source: String
    /// Where it is now (its rotated name once rotated, when known).
    var path: String
    let identity: FileIdentity
    private(set) var fd: Int32
    /// End of the last complete line consumed.
    private(set) var offset: Int64
    /// Lines consumed.
    private(set) var line: Int64
    /// Bytes after `offset` already read: the start of a line without its newline yet.
    private var partial: [UInt8] = []
    /// Inside a line longer than the limit: its bytes are dropped up to its newline.
    private var skipping = false
    private let maxLineLength: Int
    /// Wall-clock seconds (monotonic) of the last read that returned data, for draining.
    var lastGrowth: Double

    init(source: String, path: String, fd: Int32, identity: FileIdentity, offset: Int64, line: Int64, maxLineLength: Int, now: Double) {
        self.source = source
        self.path = path
        self.fd = fd
        self.identity = identity
        self.offset = offset
        self.line = line
        self.maxLineLength = maxLineLength
        lastGrowth = now
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Opens `path` read-only (no following of a symlink swap mid-open matters: the identity
    /// comes from the descriptor).
    static func open(source: String, path: String, offset: Int64?, line: Int64, maxLineLength: Int, now: Double)
        -> FollowedFile?
    {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard let st = FileIdentity.status(fd: fd), st.isRegular else {
            close(fd)
            return nil
        }
        let start = offset.map { $0 <= st.size ? $0 : 0 } ?? st.size
        return FollowedFile(
            source: source, path: path, fd: fd, identity: st.identity, offset: start,
            line: offset == nil || start == 0 ? 0 : line, maxLineLength: maxLineLength, now: now)
    }

    func status() -> FileIdentity.Status? { FileIdentity.status(fd: fd) }

    /// The file shrank below what was read: copytruncate. Start again at 0.
    func restartAfterTruncation() {
        offset = 0
        line = 0
        partial.removeAll(keepingCapacity: true)
        skipping = false
    }

    /// Reads what is there (at most `budget` bytes), handing out complete lines.
    /// Returns the bytes read (0 at the current end).
    func read(budget: Int, buffer: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer, LineEvent) -> Void) -> Int {
        var total = 0
        while total < budget {
            let readAt = offset + Int64(partial.count) + (skipping ? Int64(skippedBytes) : 0)
            let n = pread(fd, buffer.baseAddress, min(buffer.count, budget - total), off_t(readAt))
            if n <= 0 { break }
            total += n
            consume(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n), body)
        }
        return total
    }

    /// Bytes of an overlong line read and dropped beyond `partial` (which keeps its sample).
    private var skippedBytes = 0

    private func consume(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, LineEvent) -> Void) {
        var start = 0
        while start < chunk.count {
            guard let nl = chunk.firstIndex(of: 0x0A, from: start) else {  // memchr, not a byte loop
                append(UnsafeRawBufferPointer(rebasing: chunk[start...]))
                return
            }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<nl])
            let lineBytes = partial.count + (skipping ? skippedBytes : 0) + piece.count
            if skipping || lineBytes > maxLineLength {
                append(piece)
                partial.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(200)), .tooLong) }
            } else if partial.isEmpty {
                body(Self.trimCR(piece), .line)
            } else {
                partial.append(contentsOf: piece)
                partial.withUnsafeBytes { body(Self.trimCR($0), .line) }
            }
            offset += Int64(lineBytes + 1)
            line += 1
            partial.removeAll(keepingCapacity: true)
            skipping = false
            skippedBytes = 0
            start = nl + 1
        }
    }

    /// Keeps the start of an unfinished line; past the limit keeps only a 200-byte sample.
    private func append(_ bytes: UnsafeRawBufferPointer) {
        if skipping {
            skippedBytes += bytes.count
            return
        }
        partial.append(contentsOf: bytes)
        if partial.count > maxLineLength {
            skippedBytes = partial.count - 200
            partial.removeLast(partial.count - 200)
            skipping = true
        }
    }

    private static func trimCR(_ b: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        if let last = b.last, last == 0x0D { return UnsafeRawBufferPointer(rebasing: b.dropLast()) }
        return b
    }
}
