import ConflictWatchCore

/// Packets copied off libpcap's buffer by the capture thread and handed to the pipeline thread
/// in one piece: one lock round per batch, not per packet. Batches are recycled.
public final class PacketBatch: ReusableBatch, @unchecked Sendable {
    public struct Record {
        public var time: Int64
        public var offset: Int
        public var length: Int
    }

    let storage: UnsafeMutableRawPointer
    public let capacity: Int
    public let maxPackets: Int
    public private(set) var records: [Record] = []
    public private(set) var used = 0
    /// Kernel counters taken when the batch was handed over (live capture), if due.
    public var statistics: (received: UInt64, dropped: UInt64, interfaceDropped: UInt64)? = nil

    public init(capacity: Int = 4 << 20, maxPackets: Int = 4096) {
        self.capacity = capacity
        self.maxPackets = maxPackets
        storage = .allocate(byteCount: capacity, alignment: 64)
        records.reserveCapacity(maxPackets)
    }

    deinit { storage.deallocate() }

    public var isEmpty: Bool { records.isEmpty }

    /// True when another packet of `length` bytes would not fit.
    @inline(__always) public func isFull(adding length: Int) -> Bool {
        records.count >= maxPackets || used + length > capacity
    }

    @inline(__always) public func append(time: Int64, _ data: UnsafeRawBufferPointer) {
        let n = min(data.count, capacity)
        if n > 0 { (storage + used).copyMemory(from: data.baseAddress!, byteCount: n) }
        records.append(Record(time: time, offset: used, length: n))
        used += n
    }

    @inline(__always) public func frame(_ r: Record) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + r.offset, count: r.length)
    }

    public func reset() {
        records.removeAll(keepingCapacity: true)
        used = 0
        statistics = nil
    }
}
