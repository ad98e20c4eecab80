#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exponential forgetting in traffic time: a value's weight halves every `halfLife` seconds.
/// Decayed sums are stored with the time they were last brought up to date.
package struct Decay: Sendable, Equatable {
    package let halfLifeSeconds: Double
    let lambdaPerMicro: Double

    package init(halfLifeSeconds: Double) {
        self.halfLifeSeconds = halfLifeSeconds
        lambdaPerMicro = log(2) / (halfLifeSeconds * 1e6)
    }

    /// Multiplier for a value last updated `elapsedMicros` ago.
    @inline(__always)
    package func factor(elapsedMicros: Int64) -> Double {
        elapsedMicros <= 0 ? 1 : exp(-lambdaPerMicro * Double(elapsedMicros))
    }

    /// A decayed event count S as a rate per second: S·ln2 / halfLife (the steady-state
    /// count of a Poisson stream of rate λ is λ·halfLife/ln2).
    @inline(__always)
    package func ratePerSecond(count: Double) -> Double { count * log(2) / halfLifeSeconds }
}
