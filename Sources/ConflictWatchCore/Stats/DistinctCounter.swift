#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts distinct 64-bit hashes in bounded memory: exactly up to `exactLimit` values, then as a
/// HyperLogLog with 2^10 registers (about 3% standard error, 1 KiB). Routes use it for their
/// distinct writers and resources.
package struct DistinctCounter: Sendable {
    static let exactSlots = 64
    static let exactLimit = 48
    static let registerBits = 10
    static let registerCount = 1 << registerBits

    /// Ranks run from 0 (an empty register) to 55 (64 bits less the index's 10, plus one).
    static let maxRank = 64 - registerBits + 1

    private var exact: [UInt64] = []
    private var exactCount = 0
    private var registers: [UInt8] = []
    /// How many registers hold each rank, kept as they change: an estimate reads these 56
    /// counts instead of the 1,024 registers. A daemon's rollups read every route's two
    /// estimates at every minute's cut, and summing the registers was the largest single cost
    /// of a fleet agent catching up on its share of a day.
    private var rankCounts: [UInt16] = []

    package init() {}

    package var isExact: Bool { registers.isEmpty }

    @inline(__always)
    package mutating func insert(_ hash0: UInt64) {
        let hash = hash0 == 0 ? 1 : hash0
        if registers.isEmpty {
            if exact.isEmpty { exact = Array(repeating: 0, count: Self.exactSlots) }
            var i = Int(truncatingIfNeeded: hash) & (Self.exactSlots - 1)
            while true {
                let v = exact[i]
                if v == hash { return }
                if v == 0 { break }
                i = (i + 1) & (Self.exactSlots - 1)
            }
            exact[i] = hash
            exactCount += 1
            if exactCount > Self.exactLimit { promote() }
            return
        }
        addToRegisters(hash)
    }

    @inline(__always)
    private mutating func addToRegisters(_ hash: UInt64) {
        let idx = Int(hash >> UInt64(64 - Self.registerBits))
        let rest = hash << UInt64(Self.registerBits) | (1 << UInt64(Self.registerBits - 1))
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        let old = registers[idx]
        if old < rank {
            registers[idx] = rank
            rankCounts[Int(old)] &-= 1
            rankCounts[Int(rank)] &+= 1
        }
    }

    private mutating func promote() {
        registers = Array(repeating: 0, count: Self.registerCount)
        rankCounts = Array(repeating: 0, count: Self.maxRank + 1)
        rankCounts[0] = UInt16(Self.registerCount)
        for v in exact where v != 0 { addToRegisters(v) }
        exact = []
        exactCount = 0
    }

    package var estimate: Int {
        if registers.isEmpty { return exactCount }
        let m = Double(Self.registerCount)
        // The sum of 2^-rank over the registers, exactly: ranks up to 27 in units of 2^-27,
        // the rest in units of 2^-55 (each part below 2^38), one rounding where they meet.
        var high: UInt64 = 0
        var low: UInt64 = 0
        for r in 0...27 { high &+= UInt64(rankCounts[r]) << UInt64(27 - r) }
        for r in 28...Self.maxRank { low &+= UInt64(rankCounts[r]) << UInt64(Self.maxRank - r) }
        let sum = Double(high) * 0x1p-27 + Double(low) * 0x1p-55
        let zeros = Int(rankCounts[0])
        let alpha = 0.7213 / (1 + 1.079 / m)
        let raw = alpha * m * m / sum
        if raw <= 2.5 * m, zeros > 0 { return Int((m * log(m / Double(zeros))).rounded()) }
        return Int(raw.rounded())
    }

    package mutating func merge(_ other: DistinctCounter) {
        if other.registers.isEmpty {
            for v in other.exact where v != 0 { insert(v) }
            return
        }
        if registers.isEmpty { promote() }
        for i in 0..<Self.registerCount where other.registers[i] > registers[i] {
            rankCounts[Int(registers[i])] &-= 1
            rankCounts[Int(other.registers[i])] &+= 1
            registers[i] = other.registers[i]
        }
    }
}
