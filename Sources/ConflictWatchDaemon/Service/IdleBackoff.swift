/// How long the pipeline's task waits when the reading thread had nothing for it: right after
/// traffic it blocks on the queue for the next batch (woken the moment one comes, so the reading
/// thread seldom finds the queue full), doubling while nothing comes; past `blockingLimit` it
/// sleeps instead, giving the thread back to the other tasks, up to a bound that keeps an idle
/// daemon's wake-ups few.
struct IdleBackoff {
    static let first = 250
    /// Waits up to this long (microseconds) block the task's thread; longer ones sleep.
    static let blockingLimit = 1000
    static let longest = 25_000
    private var micros = IdleBackoff.first

    /// The next wait in microseconds.
    mutating func next() -> Int {
        defer { micros = min(micros * 2, Self.longest) }
        return micros
    }

    mutating func reset() { micros = Self.first }
}
