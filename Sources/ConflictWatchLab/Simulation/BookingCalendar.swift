import ConflictWatchCore

/// The slots behind `POST /api/bookings`, a create collection with a unique constraint on the
/// slot: the first booking of a slot gets 201, every later one 409.
///
/// People ask for the slot they want (a date-and-time form; the availability the app shows is
/// cached), by a mild preference for some slots. Demand grows through the log (the date comes
/// closer) while the slots fill up, so the share of requests that hit a taken slot — and the
/// 409s per minute — rise slowly for the whole log: a trend, not a burst. A rush adds a few
/// slots released at once, fought over by a dozen clients.
struct BookingCalendar: Sendable {
    /// Booking attempts per second at the start and at the end of the log.
    static let rateAtStart = 0.3
    static let rateAtEnd = 1.2
    static let preferenceSkew = 0.5
    /// Slots per second of log: enough that they are far from gone when the log ends.
    static let slotsPerSecond = 0.9
    /// After a 409 the client picks another slot and tries again, now and then.
    static let retryProbability = 0.6
    static let maxAttempts = 3
    static let releasedPerRush = 3

    let slots: Int
    private var taken: [Bool]
    private let preference: ZipfSampler
    private let duration: Double

    init(duration: Double, rushes: Int) {
        slots = max(100, Int(duration * Self.slotsPerSecond))
        taken = [Bool](repeating: false, count: slots + rushes * Self.releasedPerRush)
        preference = ZipfSampler(count: slots, exponent: Self.preferenceSkew)
        self.duration = duration
    }

    /// Attempts per second `t` seconds into the log.
    func rate(at t: Double) -> Double {
        Self.rateAtStart + (Self.rateAtEnd - Self.rateAtStart) * min(1, max(0, t / duration))
    }

    /// The slot a person asks for (among the regular ones).
    func pick(_ rng: inout SimulationRandom) -> Int { preference.sample(&rng) }

    /// The slots the `rush`-th rush releases.
    func released(_ rush: Int) -> Range<Int> {
        let first = slots + rush * Self.releasedPerRush
        return first..<(first + Self.releasedPerRush)
    }

    /// Books `slot` if it is free; false when it was taken (the unique constraint refuses).
    mutating func book(_ slot: Int) -> Bool {
        if taken[slot] { return false }
        taken[slot] = true
        return true
    }

    /// The share of the preference that is taken: what a new request's chance of a 409 is.
    var takenShare: Double {
        var s = 0.0
        for k in 0..<slots where taken[k] { s += preference.probability(ofRank: k) }
        return s
    }
}
