#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file (or stdin for "-") read with plain `read(2)` into the caller's buffer.
public final class FileSource: ByteSource {
    public let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    public let totalBytes: UInt64?
    public private(set) var bytesConsumed: UInt64 = 0

    public init(path: String) throws(IngestError) {
        self.path = path
        if path == "-" {
            fd = 0
            ownsDescriptor = false
            totalBytes = nil
            return
        }
        let d = open(path, O_RDONLY | O_CLOEXEC)
        guard d >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var st = stat()
        if fstat(d, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(d)
            throw .cannotOpen(path: path, reason: "is a directory")
        }
        fd = d
        ownsDescriptor = true
        totalBytes = (st.st_mode & S_IFMT) == S_IFREG ? UInt64(st.st_size) : nil
        posix_fadvise(d, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
    }

    deinit { if ownsDescriptor { close(fd) } }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesConsumed += UInt64(n)
                return n
            }
            if errno == EINTR { continue }
            throw .readFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }
}
