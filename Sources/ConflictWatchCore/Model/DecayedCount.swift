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
