#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file as the kernel knows it (device + inode): the same file whatever its name, so a
/// rename rotation is told apart from a new file at the same path (SPEC §8).
public struct FileIdentity: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    public var description: String { "\(device):\(inode)" }

    /// What `stat`/`fstat` say about a file: its identity, size and link count.
    public struct Status: Sendable {
        public var identity: FileIdentity
        public var size: Int64
        public var links: UInt64
        public var isRegular: Bool
    }

    public static func status(path: String) -> Status? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Status(st)
    }

    public static func status(fd: Int32) -> Status? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        return Status(st)
    }
}

extension FileIdentity.Status {
    init(_ st: stat) {
        identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        size = Int64(st.st_size)
        links = UInt64(st.st_nlink)
        isRegular = (st.st_mode & S_IFMT) == S_IFREG
    }
}
