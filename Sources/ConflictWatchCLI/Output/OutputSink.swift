#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to stdout/stderr with `write(2)`: output of millions of lines must not pay
/// for `print` on each.
struct OutputSink {
    let fd: Int32
    var buffer: [UInt8] = []
    let flushAt: Int

    init(fd: Int32, flushAt: Int = 1 << 16) {
        self.fd = fd
        self.flushAt = flushAt
        buffer.reserveCapacity(flushAt + 4096)
    }

    @inline(__always) mutating func flushIfFull() { if buffer.count >= flushAt { flush() } }

    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        flushIfFull()
    }

    mutating func flush() {
        if let capture = OutputCapture.current {
            buffer.withUnsafeBytes { capture.append(fd: fd, $0) }
            buffer.removeAll(keepingCapacity: true)
            return
        }
        var off = 0
        buffer.withUnsafeBytes { b in
            while off < b.count {
                let n = Glibc.write(fd, b.baseAddress! + off, b.count - off)
                if n < 0 { if errno == EINTR { continue }; break }  // closed pipe: drop output
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
