/// A fixed byte arena a parser decodes escaped strings into. It is reset per line and never
/// grows, so decoded fields cost no allocation; views into it live until the next `reset()`.
final class ScratchBuffer {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    private(set) var used = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    @inline(__always) func reset() { used = 0 }

    /// Room for `count` more bytes, or nil when the arena is full.
    @inline(__always) func reserve(_ count: Int) -> UnsafeMutableRawPointer? {
        guard used + count <= capacity else { return nil }
        let p = base + used
        used += count
        return p
    }

    /// Gives back the unused tail of the last reservation.
    @inline(__always) func shrinkLast(by count: Int) { used -= count }
}
