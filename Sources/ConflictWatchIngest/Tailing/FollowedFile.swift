import ConflictWatchCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open file being followed. Its bytes go through a `LineFramer`, so it hands out whole
/// lines only: a partial last line waits for its newline, and `offset` (what a checkpoint
/// stores) is always the end of the last complete line, so a restart re-reads the partial line
/// and nothing else.
package final class FollowedFile {
    package typealias LineEvent = LineFramer.Event

    /// The configured path (or glob match) this file was found at.
    package let source: String
    /// Where it is now (its rotated name once rotated, when known).
    package var path: String
    package let identity: FileIdentity
    /// Unique among the files this process opens, from 1: what the reading thread compares to
    /// notice that the lines come from another file, so that its per-line closure holds no
    /// object (`TailReader.read`, where 0 means no file yet). Not an `ObjectIdentifier`: an address can be another file's once
    /// this one is gone.
    package let serial: UInt64
    private static let serials = Atomic<UInt64>(0)
    private(set) var fd: Int32
    private var framer: LineFramer
    /// End of the last complete line consumed.
    package var offset: Int64 { framer.offset }
    /// Lines consumed.
    package var line: Int64 { framer.lines }
    /// Wall-clock seconds (monotonic) of the last read that returned data, for draining.
    var lastGrowth: Double

    init(source: String, path: String, fd: Int32, identity: FileIdentity, offset: Int64, line: Int64, maxLineLength: Int, now: Double) {
        self.source = source
        self.path = path
        self.fd = fd
        self.identity = identity
        serial = Self.serials.add(1, ordering: .relaxed).newValue
        framer = LineFramer(maxLineLength: maxLineLength, offset: offset, lines: line)
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
        framer.reset()
    }

    /// Reads what is there (at most `budget` bytes), handing out complete lines with their
    /// 1-based numbers in the file. Returns the bytes read (0 at the current end).
    func read(budget: Int, buffer: UnsafeMutableRawBufferPointer, _ body: (UnsafeRawBufferPointer, LineEvent, Int64) -> Void) -> Int {
        var total = 0
        // Counted here too: `body` may not read `line` while the framer is feeding.
        var number = framer.lines
        while total < budget {
            let readAt = framer.offset + Int64(framer.pendingBytes)
            let n = pread(fd, buffer.baseAddress, min(buffer.count, budget - total), off_t(readAt))
            if n <= 0 { break }
            total += n
            framer.feed(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n)) { line, event in
                number += 1
                body(line, event, number)
            }
        }
        return total
    }
}
