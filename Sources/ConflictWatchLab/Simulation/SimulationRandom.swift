import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic random numbers for the simulator (SplitMix64). Not cryptographic: it only has
/// to make traffic shapes that are the same for the same seed on every platform, which is why
/// it does not use the system generator.
public struct SimulationRandom: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for another part of the simulation, so that one part drawing more numbers
    /// (an event) does not shift the draws of another (the background traffic).
    public mutating func split() -> SimulationRandom { SimulationRandom(seed: next() ^ 0x5DEE_CE66_D1CE_4E5B) }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Uniform in 0..<n (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Exponential with the given mean (inter-arrival times of a Poisson process).
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// Standard normal (Box–Muller; one of the pair is dropped to keep the state simple).
    public mutating func normal() -> Double {
        let u = max(unit(), 1e-300)
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit())
    }

    /// Log-normal with the given median and log-scale spread: human think times and service
    /// latencies have this shape (most short, a long right tail).
    public mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }
}
