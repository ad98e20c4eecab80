#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One daemon per state directory: two would read the same files from the same checkpoints and
/// count every line twice. Held (flock) for the daemon's life; the kernel drops it when the
/// process dies, so a kill -9 leaves no stale lock behind.
public final class DaemonLock: Sendable {
    private let fd: Int32

    public init(directory: String) throws(StoreError) {
        try StateDirectory.create(directory)
        let path = directory + "/daemon.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError("cannot open \(path): \(String(cString: strerror(errno))); check the state directory's owner and mode")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var holder = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &holder, holder.count, 0)
            let pid = n > 0 ? String(decoding: holder[0..<n].filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self) : "?"
            close(fd)
            throw StoreError("another conflictwatch daemon (pid \(pid)) is using the state directory \(directory); stop it, or pass a different --state-dir")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    deinit { close(fd) }
}
