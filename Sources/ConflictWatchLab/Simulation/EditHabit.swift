import ConflictWatchCore

/// One kind of client's editing behaviour: the read→write gap (log-normal) and what it does
/// after a conflict (re-read after a randomised, doubling back-off, a bounded number of times).
struct EditHabit: Sendable {
    var thinkMedian: Double
    var thinkSigma: Double
    var retryProbability: Double
    var backoff: ClosedRange<Double>
    var maxAttempts: Int

    /// Shoppers in a flash sale: quick to buy, insistent on retrying.
    static let flashBuyer = EditHabit(thinkMedian: 1.2, thinkSigma: 0.5, retryProbability: 0.9, backoff: 0.2...1, maxAttempts: 4)
}
