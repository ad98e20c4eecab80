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

    private var exact: [UInt64] = []
    private var exactCount = 0
    private var registers: [UInt8] = []

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
        if registers[idx] < rank { registers[idx] = rank }
    }

    private mutating func promote() {
        registers = Array(repeating: 0, count: Self.registerCount)
        for v in exact where v != 0 { addToRegisters(v) }
        exact = []
        exactCount = 0
    }

    package var estimate: Int {
        if registers.isEmpty { return exactCount }
        let m = Double(Self.registerCount)
        var sum = 0.0
        var zeros = 0
        for r in registers {
            sum += 1 / Double(UInt64(1) << UInt64(r))
            if r == 0 { zeros += 1 }
        }
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
        for i in 0..<Self.registerCount where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
    }
}
