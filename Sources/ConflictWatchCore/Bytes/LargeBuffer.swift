#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Growth of a byte buffer that can reach tens of megabytes within a second — a fleet agent's
/// summary (`FleetSummaryWriter`) — in memory the kernel may back with huge pages.
///
/// Such a buffer is fresh memory each time it grows, and every 4 KiB page of it costs a page
/// fault on first write: on the bench's log, most of what the accounting thread spent copying
/// blocks into the summary (perf: 544 of 653 samples in the kernel's fault path). Where
/// transparent huge pages are on for regions that ask (`madvise`, Debian's default), one fault
/// maps 2 MiB. Where they are off, or on another system, the hint does nothing and the buffer
/// grows as any array would.
enum LargeBuffer {
    /// Below this the hint is not worth a system call (and a huge page would not fit).
    static let hintedBytes = 4 << 20
    static let hugePage = 2 << 20

    /// Makes room in `bytes` for `extra` more, doubling its capacity when it must grow.
    @inline(__always)
    static func reserve(_ bytes: inout [UInt8], extra: Int) {
        let needed = bytes.count + extra
        guard needed > bytes.capacity else { return }
        grow(&bytes, to: max(needed, bytes.capacity * 2))
    }

    private static func grow(_ bytes: inout [UInt8], to capacity: Int) {
        var bigger: [UInt8] = []
        bigger.reserveCapacity(capacity)
        if capacity >= hintedBytes {
            // Before the first write: pages already mapped would stay small.
            bigger.withUnsafeMutableBufferPointer { b in
                guard let base = b.baseAddress else { return }
                adviseHugePages(UnsafeMutableRawPointer(base), count: capacity)
            }
        }
        bigger.append(contentsOf: bytes)
        swap(&bytes, &bigger)
    }

    private static func adviseHugePages(_ base: UnsafeMutableRawPointer, count: Int) {
        #if os(Linux)
        let start = (Int(bitPattern: base) + hugePage - 1) & ~(hugePage - 1)
        let end = (Int(bitPattern: base) + count) & ~(hugePage - 1)
        guard end > start, let at = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(at, end - start, MADV_HUGEPAGE)
        #endif
    }
}
