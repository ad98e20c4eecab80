/// Holds the start of a head that did not arrive in one segment, until its end arrives.
/// A class with its own allocation so views handed out with a head stay put until the next
/// append; created only for flows that need one.
final class HeadBuffer {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    func append(_ d: UnsafeRawBufferPointer) {
        guard d.count > 0 else { return }
        if count + d.count > capacity {
            var c = capacity * 2
            while c < count + d.count { c *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: c, alignment: 16)
            grown.copyMemory(from: storage, byteCount: count)
            storage.deallocate()
            storage = grown
            capacity = c
        }
        (storage + count).copyMemory(from: d.baseAddress!, byteCount: d.count)
        count += d.count
    }

    func removeAll() { count = 0 }
}
