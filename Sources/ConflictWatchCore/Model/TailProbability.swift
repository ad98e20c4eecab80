#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Upper-tail probabilities P(X ≥ k) of the count distributions the burst test uses.
/// Computed through the regularized incomplete gamma and beta functions (Numerical Recipes'
/// series / continued fractions, Lentz's method), accurate far into the tail where 1 − CDF
/// would cancel to zero. Checked against scipy in `TailProbabilityTests`.
package enum TailProbability {
    /// P(X ≥ k) for X ~ Poisson(mean).
    package static func poisson(atLeast k: Int, mean: Double) -> Double {
        guard k > 0 else { return 1 }
        guard mean > 0 else { return 0 }
        // P(X ≥ k) = P(k, mean), the regularized lower incomplete gamma.
        return regularizedGammaP(Double(k), mean)
    }

    /// P(X ≥ k) for X ~ NegativeBinomial with the given mean and size r (variance mean + mean²/r).
    package static func negativeBinomial(atLeast k: Int, mean: Double, size r: Double) -> Double {
        guard k > 0 else { return 1 }
        guard mean > 0 else { return 0 }
        guard r.isFinite, r < 1e8 else { return poisson(atLeast: k, mean: mean) }
        // With p = r / (r + mean): P(X ≥ k) = I_{1-p}(k, r).
        let q = mean / (r + mean)
        return regularizedBeta(q, Double(k), r)
    }

    /// P(X ≥ k) for X ~ Binomial(n, p): k conflicts among n writes that each conflict with
    /// probability p. Tighter than Poisson where p is large (a client refused on every write of
    /// a route that refuses a third of them).
    package static func binomial(atLeast k: Int, trials n: Int, probability p: Double) -> Double {
        guard k > 0 else { return 1 }
        guard k <= n else { return 0 }
        guard p > 0 else { return 0 }
        guard p < 1 else { return 1 }
        // P(X ≥ k) = I_p(k, n − k + 1).
        return regularizedBeta(p, Double(k), Double(n - k + 1))
    }

    // MARK: incomplete gamma

    static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        if x < a + 1 {
            // Series.
            var sum = 1 / a, term = sum, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return min(1, sum * exp(-x + a * log(x) - lgamma(a)))
        }
        return max(0, 1 - regularizedGammaQContinuedFraction(a, x))
    }

    static func regularizedGammaQContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return exp(-x + a * log(x) - lgamma(a)) * h
    }

    // MARK: incomplete beta

    /// I_x(a, b).
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * betaContinuedFraction(x, a, b) / a
        }
        return 1 - exp(lnFront) * betaContinuedFraction(1 - x, b, a) / b
    }

    static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}
