import Testing
@testable import ConflictWatchCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reference values computed independently with scipy 1.17 / Python's math module:
///   stats.poisson.sf(k-1, mu)
///   stats.nbinom.sf(k-1, r, r/(r+mu))
///   1 - exp(-c*lam*q*H) with q = 1 - exp(-lam*f*w), f = 1 - 1/writers (0.1 for one writer)
@Suite struct ModelMathTests {
    func close(_ a: Double, _ b: Double, rel: Double = 1e-9) -> Bool {
        abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)
    }

    @Test(arguments: [
        (5, 0.8, 0.001411310145886735),
        (10, 2.0, 4.649807501726386e-05),
        (1, 0.5, 0.3934693402873665),
        (50, 10.0, 1.8547268838698457e-19),
        (200, 150.0, 5.709688574208249e-05),
        (3, 3.0, 0.5768099188731566),
    ])
    func poissonTail(k: Int, mean: Double, expected: Double) {
        let v = TailProbability.poisson(atLeast: k, mean: mean)
        #expect(close(v, expected, rel: 1e-9), "P(X>=\(k) | \(mean)) = \(v), scipy \(expected)")
    }

    /// Exact sums Σ_{i≥k} C(n,i) pⁱ (1−p)ⁿ⁻ⁱ with Python's `math.comb`.
    @Test(arguments: [
        (10, 10, 0.4, 0.00010485760000000006),
        (1, 5, 0.2, 0.6723200000000001),
        (3, 5, 0.5, 0.5),
        (20, 60, 0.26, 0.1266880519233095),
        (30, 30, 0.35, 2.0991396429661863e-14),
    ])
    func binomialTail(k: Int, n: Int, p: Double, expected: Double) {
        let v = TailProbability.binomial(atLeast: k, trials: n, probability: p)
        #expect(close(v, expected, rel: 1e-9), "P(X>=\(k) | n \(n), p \(p)) = \(v), exact \(expected)")
    }

    @Test func binomialEdges() {
        #expect(TailProbability.binomial(atLeast: 0, trials: 5, probability: 0.3) == 1)
        #expect(TailProbability.binomial(atLeast: 6, trials: 5, probability: 0.3) == 0)
        #expect(TailProbability.binomial(atLeast: 2, trials: 5, probability: 0) == 0)
    }

    @Test(arguments: [
        (5, 0.8, 2.0, 0.008703856386369621),
        (10, 2.0, 0.5, 0.036904842934184695),
        (50, 10.0, 5.0, 7.203294285246245e-06),
        (20, 20.0, 100.0, 0.52174507799694),
        (1, 0.1, 1.0, 0.09090909090909094),
    ])
    func negativeBinomialTail(k: Int, mean: Double, size: Double, expected: Double) {
        let v = TailProbability.negativeBinomial(atLeast: k, mean: mean, size: size)
        #expect(close(v, expected, rel: 1e-9), "NB P(X>=\(k) | mean \(mean), size \(size)) = \(v), scipy \(expected)")
    }

    @Test func tailEdgeCases() {
        #expect(TailProbability.poisson(atLeast: 0, mean: 3) == 1)
        #expect(TailProbability.poisson(atLeast: 4, mean: 0) == 0)
        // A huge size is the Poisson limit.
        #expect(close(TailProbability.negativeBinomial(atLeast: 10, mean: 2, size: 1e12),
                      TailProbability.poisson(atLeast: 10, mean: 2)))
        // Monotone in k.
        var last = 1.0
        for k in 0...60 {
            let v = TailProbability.negativeBinomial(atLeast: k, mean: 7, size: 3)
            #expect(v <= last)
            last = v
        }
    }

    @Test func decayHalvesPerHalfLife() {
        let d = Decay(halfLifeSeconds: 60)
        #expect(close(d.factor(elapsedMicros: 60_000_000), 0.5))
        #expect(close(d.factor(elapsedMicros: 30_000_000), 0.7071067811865476))
        #expect(d.factor(elapsedMicros: -5) == 1)
        var c = DecayedCount()
        c.add(8, at: 0, d)
        c.add(0, at: 120_000_000, d)
        #expect(close(c.value, 2))
        // A steady stream of rate λ settles at λ·halfLife/ln2, which ratePerSecond inverts.
        var s = DecayedCount()
        for i in 0..<20_000 { s.add(1, at: Int64(i) * 100_000, d) }  // 10 per second
        #expect(abs(d.ratePerSecond(count: s.value) - 10) < 0.1)
    }

    @Test(arguments: [
        (0.5, 1.0, 4, 1.0, 0.9999157162635524, 0.31271072120902776),
        (0.05, 2.0, 2, 1.0, 0.13611163568755524, 0.048770575499285984),
        (2.0, 0.5, 10, 0.3, 0.9999999994728269, 0.5934303402594009),
        (0.1, 1.0, 1, 1.0, 0.05795383436825474, 0.009950166250831893),
    ])
    func hotspotProbability(rate: Double, window: Double, writers: Int, c: Double, expected: Double, expectedOverlap: Double) {
        let q = HotspotFormula.overlap(rate: rate, editWindowSeconds: window, writers: writers)
        #expect(close(q, expectedOverlap))
        #expect(close(HotspotFormula.probability(rate: rate, overlap: q, calibration: c, horizonSeconds: 60), expected))
    }

    @Test func calibrationShrinksTowardThePrior() {
        #expect(HotspotFormula.calibration(observed: 0, expected: 0, prior: 0.4, weight: 2) == 0.4)
        #expect(close(HotspotFormula.calibration(observed: 0, expected: 1000, prior: 1, weight: 2), 2.0 / 1002))
        #expect(close(HotspotFormula.calibration(observed: 300, expected: 100, prior: 1, weight: 2), 302.0 / 102))
    }

    /// The mean age of a decayed sum's contents after a window of a steady stream, against a
    /// numerical integration of t·e^(−kt) over e^(−kt) on [0, A].
    @Test(arguments: [(10.0, 60.0), (35.0, 60.0), (600.0, 60.0), (100.0, 600.0), (5000.0, 600.0)])
    func meanAgeOfADecayedSum(window: Double, halfLife: Double) {
        let k = log(2) / halfLife
        let steps = 200_000
        let dt = window / Double(steps)
        var weighted = 0.0, total = 0.0
        for i in 0..<steps {
            let t = (Double(i) + 0.5) * dt
            weighted += t * exp(-k * t) * dt
            total += exp(-k * t) * dt
        }
        let age = ContentionModel.meanAge(window: window, halfLife: halfLife)
        #expect(abs(age - weighted / total) < 1e-6 * max(1, age), "\(age) vs \(weighted / total)")
    }
}
