import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws ranks 0..<count with probability ∝ 1/(rank+1)^exponent: a few items get most of the
/// traffic and a long tail gets a little, the popularity shape of real API resources.
public struct ZipfSampler: Sendable {
    private let cumulative: [Double]

    public init(count: Int, exponent: Double) {
        precondition(count > 0, "ZipfSampler needs at least one item")
        var c: [Double] = []
        c.reserveCapacity(count)
        var sum = 0.0
        for k in 1...count {
            sum += 1 / pow(Double(k), exponent)
            c.append(sum)
        }
        cumulative = c.map { $0 / sum }
    }

    public var count: Int { cumulative.count }

    /// The share of draws rank `k` gets.
    public func probability(ofRank k: Int) -> Double {
        k == 0 ? cumulative[0] : cumulative[k] - cumulative[k - 1]
    }

    public func sample(_ rng: inout SimulationRandom) -> Int {
        let u = rng.unit()
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
