#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed-size table of plain values whose memory comes zeroed from the kernel (calloc), so a
/// page costs resident memory only once something is written to it: an idle daemon or a small
/// log does not pay for bounds sized for millions of entries. All zero bytes must be a valid
/// (empty) element. Shared, not copied, by the value types that hold it: they are the only
/// owner in practice (one model per pipeline).
package final class ZeroedBuffer<Element>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<Element>
    package let count: Int

    package init(count: Int) {
        self.count = count
        guard let raw = calloc(max(count, 1), MemoryLayout<Element>.stride) else {
            fatalError("out of memory for \(count) \(Element.self)")
        }
        base = raw.bindMemory(to: Element.self, capacity: max(count, 1))
    }

    deinit { free(base) }
}
