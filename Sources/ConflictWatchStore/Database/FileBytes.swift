#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole byte runs to and from a file descriptor, through interrupted and partial calls: what the
/// outbox's segments and the model's state files both need.
enum FileBytes {
    /// Why a read did not bring every byte asked for.
    enum ShortRead: Error {
        /// The file ended after this many bytes.
        case ended(after: Int)
        /// The read failed with this errno.
        case failed(errno: Int32)
    }

    /// Writes all of `bytes` at `offset`, or where the descriptor stands (`nil`: an O_APPEND
    /// file's end); the errno of the call that failed, nil when all were written.
    static func writeAll(_ bytes: [UInt8], to fd: Int32, at offset: Int64?) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { b in
                offset.map { pwrite(fd, b.baseAddress! + done, b.count - done, off_t($0) + off_t(done)) }
                    ?? write(fd, b.baseAddress! + done, b.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            done += n
        }
        return nil
    }

    /// `count` bytes at `offset`.
    static func readAll(_ fd: Int32, count: Int, at offset: Int64) -> Result<[UInt8], ShortRead> {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.failed(errno: errno))
            }
            guard n > 0 else { return .failure(.ended(after: done)) }
            done += n
        }
        return .success(out)
    }
}
