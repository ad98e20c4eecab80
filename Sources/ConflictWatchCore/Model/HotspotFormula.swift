#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hot-spot probability (SPEC §5.3): with write arrival rate λ (per second), edit window w
/// (seconds) and a share f of writes coming from someone other than the last writer, a write
/// collides with a concurrent edit with probability q = 1 − e^(−λ·f·w), so conflicts arrive at
/// rate λ·q and
///
///     P(at least one conflict within H) = 1 − exp(−c · λ · q · H)
///
/// where c is the calibration factor: observed over raw-expected conflicts, per route, shrunk
/// per resource toward the route's (so routes that never check versions, or whose edit window
/// is mismeasured, are corrected by their own history).
package enum HotspotFormula {
    /// f: the chance that a write's competitor is another client. One recent writer can still
    /// race itself (parallel workers, retries), hence the floor.
    @inline(__always)
    package static func otherWriterShare(writers: Int) -> Double {
        writers >= 2 ? 1 - 1 / Double(writers) : 0.1
    }

    /// q: probability that a write overlaps another writer's edit window.
    @inline(__always)
    package static func overlap(rate: Double, editWindowSeconds w: Double, writers: Int) -> Double {
        1 - exp(-rate * otherWriterShare(writers: writers) * w)
    }

    @inline(__always)
    package static func probability(rate: Double, overlap q: Double, calibration c: Double, horizonSeconds h: Double) -> Double {
        1 - exp(-c * rate * q * h)
    }

    /// Expected conflicts within the horizon, c · λ · q · H: the probability's exponent, which
    /// keeps growing where the probability saturates (the ranking's base).
    @inline(__always)
    package static func expectedConflicts(rate: Double, overlap q: Double, calibration c: Double, horizonSeconds h: Double) -> Double {
        c * rate * q * h
    }

    /// Calibration shrunk toward `prior` with `weight` pseudo expected conflicts.
    @inline(__always)
    package static func calibration(observed: Double, expected: Double, prior: Double, weight: Double) -> Double {
        (observed + weight * prior) / (expected + weight)
    }
}
