#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-resource write state in bounded memory (SPEC §5.2). Set-associative: a resource lives in
/// one of `ways` slots of its set; a full set evicts its weakest writer (lowest decayed write
/// count, conflicts counted ten times), so a hot resource among millions of cold ones is never
/// the one to go. Everything is in flat arrays: no allocation after construction.
public struct ResourceTable: Sendable {
    public static let ways = 8
    public static let labelBytes = 96
    public static let writerSlots = 8

    public let capacity: Int
    let sets: Int
    var hashes: [UInt64]
    var routes: [Int32]
    /// Decayed writes (rate half-life) and when they were brought up to date.
    var writeCount: [Double]
    var updated: [Int64]
    var totalWrites: [UInt32]
    var totalConflicts: [UInt32]
    /// Decayed conflicts and raw-model expected conflicts (calibration half-life).
    var conflictCount: [Double]
    var expectedCount: [Double]
    var calibrationUpdated: [Int64]
    var firstSeen: [Int64]
    var lastWrite: [Int64]
    var lastConflict: [Int64]
    /// Edit window EWMA in ms; negative = not observed yet.
    var editWindowMs: [Float]
    var writerHashes: [UInt32]
    var writerSeen: [Int64]
    /// ln(decayed writes + 10·conflicts) + λ·updated: orders slots by their decayed weight at any
    /// common later time without an exp() per candidate.
    var evictionKey: [Double]
    var labelLength: [UInt8]
    var labels: [UInt8]
    public private(set) var count = 0
    public private(set) var evictions: UInt64 = 0

    public init(capacity requested: Int) {
        var s = 1
        while s * Self.ways < requested { s <<= 1 }
        sets = s
        capacity = s * Self.ways
        hashes = Array(repeating: 0, count: capacity)
        routes = Array(repeating: -1, count: capacity)
        writeCount = Array(repeating: 0, count: capacity)
        updated = Array(repeating: 0, count: capacity)
        totalWrites = Array(repeating: 0, count: capacity)
        totalConflicts = Array(repeating: 0, count: capacity)
        conflictCount = Array(repeating: 0, count: capacity)
        expectedCount = Array(repeating: 0, count: capacity)
        calibrationUpdated = Array(repeating: 0, count: capacity)
        firstSeen = Array(repeating: 0, count: capacity)
        lastWrite = Array(repeating: 0, count: capacity)
        lastConflict = Array(repeating: 0, count: capacity)
        editWindowMs = Array(repeating: -1, count: capacity)
        writerHashes = Array(repeating: 0, count: capacity * Self.writerSlots)
        writerSeen = Array(repeating: 0, count: capacity * Self.writerSlots)
        evictionKey = Array(repeating: 0, count: capacity)
        labelLength = Array(repeating: 0, count: capacity)
        labels = Array(repeating: 0, count: capacity * Self.labelBytes)
    }

    /// Slot of the resource, creating it (possibly evicting) when absent.
    @inline(__always)
    mutating func slot(hash h0: UInt64, label: UnsafeRawBufferPointer, route: Int32, at time: Int64) -> Int {
        let h = h0 == 0 ? 1 : h0
        let base = Int(truncatingIfNeeded: h >> 20) & (sets - 1) &* Self.ways
        var empty = -1
        var victim = base
        var victimScore = Double.infinity
        for i in base..<(base + Self.ways) {
            let k = hashes[i]
            if k == h { return i }
            if k == 0 {
                if empty < 0 { empty = i }
                continue
            }
            if empty >= 0 { continue }  // an empty slot will be used; keep looking for a hit only
            if evictionKey[i] < victimScore { victimScore = evictionKey[i]; victim = i }
        }
        if empty >= 0 {
            victim = empty
            count += 1
        } else {
            evictions &+= 1
        }
        reset(victim, hash: h, label: label, route: route, at: time)
        return victim
    }

    @inline(__always)
    mutating func reset(_ i: Int, hash: UInt64, label: UnsafeRawBufferPointer, route: Int32, at time: Int64) {
        hashes[i] = hash
        routes[i] = route
        writeCount[i] = 0
        updated[i] = time
        totalWrites[i] = 0
        totalConflicts[i] = 0
        conflictCount[i] = 0
        expectedCount[i] = 0
        calibrationUpdated[i] = time
        firstSeen[i] = time
        lastWrite[i] = 0
        lastConflict[i] = 0
        editWindowMs[i] = -1
        for w in 0..<Self.writerSlots { writerHashes[i * Self.writerSlots + w] = 0; writerSeen[i * Self.writerSlots + w] = 0 }
        let n = min(label.count, Self.labelBytes)
        labelLength[i] = UInt8(n)
        if n > 0 {
            labels.withUnsafeMutableBytes { dst in
                (dst.baseAddress! + i * Self.labelBytes).copyMemory(from: label.baseAddress!, byteCount: n)
            }
        }
    }

    /// Refreshes the slot's eviction order after its counts changed.
    @inline(__always)
    mutating func touch(_ i: Int, decay: Decay) {
        evictionKey[i] = log(writeCount[i] + 10 * conflictCount[i]) + decay.lambdaPerMicro * Double(updated[i])
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
    @inline(__always)
    mutating func noteWriter(_ i: Int, client: UInt64, at time: Int64, window: Int64) -> Int {
        let c = UInt32(truncatingIfNeeded: client >> 32) | 1
        let base = i * Self.writerSlots
        var oldest = base
        var found = false
        for w in base..<(base + Self.writerSlots) {
            if writerHashes[w] == c { writerSeen[w] = time; found = true; break }
            if writerSeen[w] < writerSeen[oldest] { oldest = w }
        }
        if !found { writerHashes[oldest] = c; writerSeen[oldest] = time }
        return recentWriters(i, at: time, window: window)
    }

    @inline(__always)
    func recentWriters(_ i: Int, at time: Int64, window: Int64) -> Int {
        var n = 0
        let base = i * Self.writerSlots
        for w in base..<(base + Self.writerSlots) where writerHashes[w] != 0 && time - writerSeen[w] <= window { n += 1 }
        return n
    }

    func label(_ i: Int) -> String {
        let start = i * Self.labelBytes
        return String(decoding: labels[start..<(start + Int(labelLength[i]))], as: UTF8.self)
    }

    /// Indices of every tracked resource.
    var occupied: [Int] { hashes.indices.filter { hashes[$0] != 0 } }
}
