import ConflictWatchCore

/// An anomaly a scenario injects into the background traffic, as planned before the run.
/// Times are seconds from the start of the log. Every one of them produces its conflicts the
/// way the real thing would: the retry storm and the duplicate creates by repeating requests
/// the server refuses, the deploy regression by refusing writes whatever their version, the
/// flash sale by many buyers racing on one object's version, the booking rush by a dozen
/// clients asking for the same few slots.
enum InjectedEvent: Sendable {
    case retryStorm(RetryStorm)
    case duplicateCreate(DuplicateCreate)
    case deployRegression(DeployRegression)
    case flashSale(FlashSale)
    case bookingRush(BookingRush)

    /// One client replays a write with a stale version (`If-Match` on orders, the body's
    /// version on counters), without back-off.
    struct RetryStorm: Sendable {
        var start: Double
        var seconds: Double
        /// Mean gap between its requests, seconds (jittered ±20% each time).
        var interval: Double
        var client: String
        /// `.orders` (a warm order, quiet route) or `.counters` (among many normal conflicts).
        var route: SimulatedRoute = .orders
        /// Popularity rank of the resource it writes (a warm one: that is where it met the conflict).
        var rank: Int
    }

    /// A few booking slots are released at once and `clients` clients fight over them for
    /// `seconds`: each POSTs for one of them every `interval` seconds until it gets one; the
    /// unique constraint refuses all but the first booking of each slot.
    struct BookingRush: Sendable {
        var start: Double
        var seconds: Double
        var clients: Int
        var interval: ClosedRange<Double>
    }

    /// One client repeats the same `POST /api/orders` (same idempotency key): 409 from the
    /// unique constraint each time after the first.
    struct DuplicateCreate: Sendable {
        var start: Double
        var seconds: Double
        var interval: Double
        var client: String
    }

    /// From `start`, the route refuses `fraction` of all writes with 409, across clients and
    /// resources; rolled back at `until` (nil: still broken when the log ends).
    struct DeployRegression: Sendable {
        var route: SimulatedRoute
        var start: Double
        var until: Double?
        var fraction: Double
    }

    /// Buyers of one product arrive at a rate that ramps linearly from 0 to `peakRate` over
    /// `rampUp` seconds and back to 0 over `rampDown`; each reads the stock, thinks briefly and
    /// writes it back with `If-Match`, retrying on 412. The conflicts come from their overlap.
    struct FlashSale: Sendable {
        var start: Double
        var rampUp: Double
        var rampDown: Double
        /// Buyers per second at the top of the ramp.
        var peakRate: Double
        /// Popularity rank of the product (a cold one: nobody fought over it before).
        var productRank: Int

        var end: Double { start + rampUp + rampDown }

        /// Buyers per second at `t` seconds from the log's start.
        func rate(at t: Double) -> Double {
            if t < start || t > end { return 0 }
            if t <= start + rampUp { return peakRate * (t - start) / rampUp }
            return peakRate * (end - t) / rampDown
        }
    }

    var start: Double {
        switch self {
        case .retryStorm(let e): e.start
        case .duplicateCreate(let e): e.start
        case .deployRegression(let e): e.start
        case .flashSale(let e): e.start
        case .bookingRush(let e): e.start
        }
    }
}
