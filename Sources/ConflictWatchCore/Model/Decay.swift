#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exponential forgetting in traffic time: a value's weight halves every `halfLife` seconds.
/// Decayed sums are stored with the time they were last brought up to date.
public struct Decay: Sendable, Equatable {
    public let halfLifeSeconds: Double
    let lambdaPerMicro: Double

    public init(halfLifeSeconds: Double) {
        self.halfLifeSeconds = halfLifeSeconds
        lambdaPerMicro = log(2) / (halfLifeSeconds * 1e6)
    }

    /// Multiplier for a value last updated `elapsedMicros` ago.
    @inline(__always)
    public func factor(elapsedMicros: Int64) -> Double {
        elapsedMicros <= 0 ? 1 : exp(-lambdaPerMicro * Double(elapsedMicros))
    }

    /// A decayed event count S as a rate per second: S·ln2 / halfLife (the steady-state
    /// count of a Poisson stream of rate λ is λ·halfLife/ln2).
    @inline(__always)
    public func ratePerSecond(count: Double) -> Double { count * log(2) / halfLifeSeconds }
}

/// A decayed count with its own clock.
public struct DecayedCount: Sendable, Equatable {
    public private(set) var value: Double = 0
    public private(set) var updated: Int64 = 0

    public init(value: Double = 0, updated: Int64 = 0) {
        self.value = value
        self.updated = updated
    }

    @inline(__always)
    public mutating func add(_ amount: Double, at time: Int64, _ decay: Decay) {
        if time > updated {
            value *= decay.factor(elapsedMicros: time - updated)
            updated = time
        }
        value += amount
    }

    @inline(__always)
    public func value(at time: Int64, _ decay: Decay) -> Double {
        time > updated ? value * decay.factor(elapsedMicros: time - updated) : value
    }
}
