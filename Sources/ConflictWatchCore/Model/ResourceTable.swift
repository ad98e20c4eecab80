import CPrefetch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tracked resource's write state, kept together so an update touches a few adjacent cache
/// lines instead of one line in each of twenty arrays.
struct ResourceSlot {
    var route: Int32 = -1
    var openHotspot: Int32 = -1
    var totalWrites: UInt32 = 0
    var totalConflicts: UInt32 = 0
    /// Decayed writes (rate half-life) and when they were brought up to date.
    var writeCount: Double = 0
    var updated: Int64 = 0
    /// Decayed conflicts and raw-model expected conflicts (calibration half-life).
    var conflictCount: Double = 0
    var expectedCount: Double = 0
    var calibrationUpdated: Int64 = 0
    var firstSeen: Int64 = 0
    var lastWrite: Int64 = 0
    var lastConflict: Int64 = 0
    /// Decayed writes over the hot-spot level half-life (the resource's long-run write rate)
    /// and when they were brought up to date: a hotspot alert is for writes well above it.
    var longWrites: Double = 0
    var longUpdated: Int64 = 0
    /// Last accepted write and its writer (32-bit fingerprint): a conflict is a race only when
    /// someone else moved the version recently.
    var lastSuccess: Int64 = 0
    var lastSuccessClient: UInt32 = 0
    var lastConflictClient: UInt32 = 0
    /// Edit window EWMA in ms; negative = not observed yet.
    var editWindowMs: Float = -1
    var labelLength: UInt8 = 0
    /// What would otherwise be padding before `writerHashes`, kept zero: the model snapshot
    /// writes a slot's bytes as they are, and padding would carry whatever memory held there
    /// (two runs over the same traffic gave different snapshots).
    var reserved: (UInt8, UInt8, UInt8) = (0, 0, 0)
    /// Recent writers: 32-bit client fingerprints and when each last wrote.
    var writerHashes: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
    var writerSeen: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0, 0, 0)
}

/// Per-resource write state in bounded memory (SPEC §5.2). Set-associative: a resource lives in
/// one of `ways` slots of its set; a full set evicts its weakest writer (lowest decayed write
/// count, conflicts counted ten times), so a hot resource among millions of cold ones is never
/// the one to go. The hashes and eviction keys of a set sit in one cache line each, the slot
/// itself in a few more; everything is allocated once. Slots and labels are dense: a table
/// position gets the next entry of a pool the first time it is taken (`PooledSlots`).
package struct ResourceTable {
    package static let ways = 8
    package static let labelBytes = 96
    package static let writerSlots = 8

    package let capacity: Int
    let sets: Int
    private let storage: ResourceStorage
    let hashes: UnsafeMutablePointer<UInt64>
    /// ln(decayed writes + 10·conflicts) + λ·updated: orders slots by their decayed weight at any
    /// common later time without an exp() per candidate.
    let evictionKey: UnsafeMutablePointer<Double>
    let slots: PooledSlots
    private let labelPool: UnsafeMutablePointer<UInt8>
    package private(set) var count = 0
    package private(set) var evictions: UInt64 = 0

    package init(capacity requested: Int) {
        var s = 1
        while s * Self.ways < requested { s <<= 1 }
        sets = s
        capacity = s * Self.ways
        storage = ResourceStorage(capacity: capacity, labelBytes: Self.labelBytes)
        hashes = storage.hashes.base
        evictionKey = storage.evictionKey.base
        slots = PooledSlots(pool: storage.slots.base, entries: storage.entries.base)
        labelPool = storage.labels.base
    }

    /// Slot of the resource, creating it (possibly evicting) when absent.
    @inline(__always)
    mutating func slot(hash h0: UInt64, label: UnsafeRawBufferPointer, route: Int32, at time: Int64) -> Int {
        let h = h0 == 0 ? 1 : h0
        let base = Int(truncatingIfNeeded: h >> 20) & (sets - 1) &* Self.ways
        var empty = -1
        for i in base..<(base + Self.ways) {
            let k = hashes[i]
            if k == h { return i }
            if k == 0, empty < 0 { empty = i }
        }
        var victim = empty
        if victim >= 0 {
            // A position is taken once and for good (evictions reuse it), so entries are
            // handed out in order: 1...count.
            count += 1
            slots.entries[victim] = UInt32(count)
        } else {
            var best = Double.infinity
            for i in base..<(base + Self.ways) {
                // A resource with an open hot-spot alert is evicted only if its whole set has one.
                let key = slots[i].openHotspot >= 0 ? evictionKey[i] + 1e12 : evictionKey[i]
                if key < best { best = key; victim = i }
            }
            evictions &+= 1
        }
        hashes[victim] = h
        evictionKey[victim] = -Double.infinity
        slots[victim] = ResourceSlot(route: route, updated: time, calibrationUpdated: time, firstSeen: time)
        let n = min(label.count, Self.labelBytes)
        slots[victim].labelLength = UInt8(n)
        if n > 0 { labels(victim).update(from: label.bindMemory(to: UInt8.self).baseAddress!, count: n) }
        return victim
    }

    /// Refreshes the slot's eviction order after its counts changed.
    @inline(__always)
    func touch(_ i: Int, decay: Decay) {
        evictionKey[i] = log(slots[i].writeCount + 10 * slots[i].conflictCount) + decay.lambdaPerMicro * Double(slots[i].updated)
    }

    /// Asks the CPU for the resource's set (its eight hashes): the first of two steps, taken
    /// well ahead of the write.
    @inline(__always)
    func prefetchSet(hash h0: UInt64) {
        let h = h0 == 0 ? 1 : h0
        let base = Int(truncatingIfNeeded: h >> 20) & (sets - 1) &* Self.ways
        cw_prefetch(hashes + base)
        cw_prefetch(hashes + base + Self.ways - 1)
        cw_prefetch(slots.entries + base)
    }

    /// The second step, a few writes ahead, once the set is in the cache: the resource's slot.
    @inline(__always)
    func prefetchSlot(hash h0: UInt64) {
        guard let i = find(hash: h0) else { return }
        prefetchSlot(at: i)
    }

    /// Asks the CPU for every cache line of position `i`'s slot.
    @inline(__always)
    func prefetchSlot(at i: Int) {
        let raw = UnsafeRawPointer(slots.pointer(i))
        var offset = 0
        while offset < MemoryLayout<ResourceSlot>.stride {
            cw_prefetch(raw + offset)
            offset += 64
        }
    }

    /// Existing slot of a resource, if tracked.
    @inline(__always)
    func find(hash h0: UInt64) -> Int? {
        let h = h0 == 0 ? 1 : h0
        let base = Int(truncatingIfNeeded: h >> 20) & (sets - 1) &* Self.ways
        for i in base..<(base + Self.ways) where hashes[i] == h { return i }
        return nil
    }

    /// Notes a writer; returns how many distinct writers were seen within `window` µs.
    /// The 32-bit fingerprint writers are kept under.
    @inline(__always)
    static func writerKey(_ client: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: client >> 32) | 1 }

    @inline(__always)
    func noteWriter(_ i: Int, client: UInt64, at time: Int64, window: Int64) -> Int {
        let c = Self.writerKey(client)
        var recent = 0
        withUnsafeMutablePointer(to: &slots[i].writerHashes) { hp in
            withUnsafeMutablePointer(to: &slots[i].writerSeen) { sp in
                hp.withMemoryRebound(to: UInt32.self, capacity: Self.writerSlots) { hashes in
                    sp.withMemoryRebound(to: Int64.self, capacity: Self.writerSlots) { seen in
                        var slot = -1
                        var oldest = 0
                        for w in 0..<Self.writerSlots {
                            if hashes[w] == c { slot = w }
                            if seen[w] < seen[oldest] { oldest = w }
                        }
                        if slot < 0 { slot = oldest; hashes[slot] = c }
                        seen[slot] = time
                        for w in 0..<Self.writerSlots where hashes[w] != 0 && time - seen[w] <= window { recent += 1 }
                    }
                }
            }
        }
        return recent
    }

    @inline(__always)
    func recentWriters(_ i: Int, at time: Int64, window: Int64) -> Int {
        var slot = slots[i]
        return withUnsafeBytes(of: &slot.writerHashes) { hb in
            withUnsafeBytes(of: &slot.writerSeen) { sb in
                var n = 0
                for w in 0..<Self.writerSlots {
                    let h = hb.load(fromByteOffset: w * 4, as: UInt32.self)
                    let seen = sb.load(fromByteOffset: w * 8, as: Int64.self)
                    if h != 0 && time - seen <= window { n += 1 }
                }
                return n
            }
        }
    }

    func label(_ i: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: labels(i), count: Int(slots[i].labelLength)), as: UTF8.self)
    }

    /// Where position `i`'s label bytes are (`labelBytes` of them), in its pool entry.
    @inline(__always)
    func labels(_ i: Int) -> UnsafeMutablePointer<UInt8> {
        labelPool + Int(slots.entries[i]) &* Self.labelBytes
    }

    /// Indices of every tracked resource, in position order.
    var occupied: [Int] {
        // `count` positions are taken, for good: one allocation of the right size.
        var taken: [Int] = []
        taken.reserveCapacity(count)
        for i in 0..<capacity where hashes[i] != 0 { taken.append(i) }
        return taken
    }

    /// Asks the CPU for everything of position `i` that the snapshot writes: it writes 8,192
    /// resources heaviest first, each one a miss in tables far larger than the caches.
    @inline(__always)
    func prefetchEntry(_ i: Int) {
        cw_prefetch(hashes + i)
        cw_prefetch(evictionKey + i)
        prefetchSlot(at: i)
        let label = UnsafeRawPointer(labels(i))
        cw_prefetch(label)
        cw_prefetch(label + Self.labelBytes - 1)
    }
}

/// The slots of the table's positions, kept densely: position `i` (set-major, where the hash
/// puts it) holds the number of its entry in a pool filled in the order positions are first
/// taken. Set-major slots put a resource's 216 bytes wherever its hash fell, so 119,000
/// resources in a 262,144-position table touched (and page-faulted in) nearly every page of
/// 78 MiB of slots and labels; pooled, they take the first 37 MiB. Entry 0 is the zero slot
/// every untaken position reads, as the zeroed table read before.
struct PooledSlots {
    let pool: UnsafeMutablePointer<ResourceSlot>
    let entries: UnsafeMutablePointer<UInt32>

    @inline(__always)
    func pointer(_ i: Int) -> UnsafeMutablePointer<ResourceSlot> { pool + Int(entries[i]) }

    subscript(i: Int) -> ResourceSlot {
        @inline(__always) unsafeAddress { UnsafePointer(pointer(i)) }
        @inline(__always) nonmutating unsafeMutableAddress { pointer(i) }
    }
}

/// Owns the table's memory (so the struct stays cheap to pass around and frees it once), in
/// `ZeroedBuffer`s: an idle daemon or a small log pays (in resident memory) only for the sets
/// its resources land in and the pool entries they took, not for the whole bound. An all-zero
/// slot is never read before `slot(hash:)` writes it (`hashes` says which positions are
/// taken), and every field is a plain value, so zero bytes are a valid state.
final class ResourceStorage {
    let hashes: ZeroedBuffer<UInt64>
    let evictionKey: ZeroedBuffer<Double>
    let entries: ZeroedBuffer<UInt32>
    /// `capacity + 1` slots and labels: entry 0 stays zero.
    let slots: ZeroedBuffer<ResourceSlot>
    let labels: ZeroedBuffer<UInt8>

    init(capacity: Int, labelBytes: Int) {
        hashes = ZeroedBuffer(count: capacity)
        evictionKey = ZeroedBuffer(count: capacity)
        entries = ZeroedBuffer(count: capacity)
        slots = ZeroedBuffer(count: capacity + 1)
        labels = ZeroedBuffer(count: (capacity + 1) * labelBytes)
    }
}
