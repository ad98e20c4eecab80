/// A decayed count with its own clock.
package struct DecayedCount: Sendable, Equatable {
    package private(set) var value: Double = 0
    package private(set) var updated: Int64 = 0

    package init(value: Double = 0, updated: Int64 = 0) {
        self.value = value
        self.updated = updated
    }

    @inline(__always)
    package mutating func add(_ amount: Double, at time: Int64, _ decay: Decay) {
        if time > updated {
            value *= decay.factor(elapsedMicros: time - updated)
            updated = time
        }
        value += amount
    }

    @inline(__always)
    package func value(at time: Int64, _ decay: Decay) -> Double {
        time > updated ? value * decay.factor(elapsedMicros: time - updated) : value
    }
}
