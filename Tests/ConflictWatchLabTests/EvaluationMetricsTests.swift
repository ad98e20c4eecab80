import ConflictWatchCore
import Testing
@testable import ConflictWatchLab

/// precision@k and average precision against values worked out by hand (shown in each test).
@Suite struct EvaluationMetricsTests {
    typealias S = RankingMetrics.Scored

    func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-12 } ?? false }

    @Test func averagePrecisionWithoutTies() {
        // Positives at ranks 1, 3, 5: (1/1 + 2/3 + 3/5) / 3 = 0.7555…
        let items = [S(0.9, true), S(0.8, false), S(0.7, true), S(0.6, false), S(0.5, true)]
        #expect(close(RankingMetrics.averagePrecision(items), (1 + 2.0 / 3 + 3.0 / 5) / 3))
        // Order of the input does not matter.
        #expect(close(RankingMetrics.averagePrecision(items.reversed()), (1 + 2.0 / 3 + 3.0 / 5) / 3))
    }

    @Test func averagePrecisionCountsATieGroupAsOneStep() {
        // {0.5: T, F} then {0.1: T}: ½·(1/2) + ½·(2/3) = 0.58333… (scikit-learn gives the same).
        #expect(close(RankingMetrics.averagePrecision([S(0.5, true), S(0.5, false), S(0.1, true)]), 0.5 * 0.5 + 0.5 * 2.0 / 3))
        // All tied: the base rate, whatever order the sort happens to leave.
        #expect(close(RankingMetrics.averagePrecision([S(1, true), S(1, false), S(1, false), S(1, true)]), 0.5))
        #expect(close(RankingMetrics.averagePrecision([S(1, false), S(1, true), S(1, true), S(1, false)]), 0.5))
    }

    @Test func averagePrecisionExtremes() {
        #expect(close(RankingMetrics.averagePrecision([S(3, true), S(2, true), S(1, false)]), 1))
        // Worst order, 1 positive in 4: 1/4.
        #expect(close(RankingMetrics.averagePrecision([S(3, false), S(2, false), S(1, false), S(0, true)]), 0.25))
        #expect(RankingMetrics.averagePrecision([S(1, false), S(0, false)]) == nil)
        #expect(RankingMetrics.averagePrecision([]) == nil)
    }

    @Test func precisionAtK() {
        let items = [S(0.9, true), S(0.8, false), S(0.7, true), S(0.6, false)]
        #expect(close(RankingMetrics.precision(at: 1, items), 1))
        #expect(close(RankingMetrics.precision(at: 2, items), 0.5))
        #expect(close(RankingMetrics.precision(at: 3, items), 2.0 / 3))
        // Fewer candidates than k: divided by the candidates.
        #expect(close(RankingMetrics.precision(at: 10, items), 0.5))
        #expect(RankingMetrics.precision(at: 10, []) == nil)
    }

    @Test func precisionAtKSharesATieAtTheCut() {
        // Top 3 = the 0.9 positive + 2 of the four tied 0.5s, one of which is positive:
        // (1 + 2·¼) / 3 = 0.5.
        let items = [S(0.9, true), S(0.5, true), S(0.5, false), S(0.5, false), S(0.5, false)]
        #expect(close(RankingMetrics.precision(at: 3, items), 0.5))
        // Cut exactly at a group boundary: no sharing.
        #expect(close(RankingMetrics.precision(at: 1, items), 1))
        #expect(close(RankingMetrics.precision(at: 5, items), 0.4))
    }
}
