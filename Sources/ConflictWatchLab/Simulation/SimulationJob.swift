import ConflictWatchCore

/// Something that will happen in the simulated API at a given time: a client's next request.
/// Clients are little state machines (read → think → write → maybe re-read and retry), so each
/// step schedules the next instead of the whole session being generated up front; that is what
/// lets writes see the versions other clients' writes left behind.
enum SimulationJob: Sendable {
    /// The next background session starts.
    case arrival
    /// A read with no write after it (browsing, health checks).
    case view(path: String, client: Int)
    /// An edit session reads the resource (learns its version) …
    case read(Edit)
    /// … and writes it back with that version.
    case write(Edit)
    /// `POST /api/orders` with an idempotency key; `repeats` more identical POSTs follow.
    case create(client: Int, key: UInt64, repeats: Int)
    /// The next request of an injected event (index into the plan).
    case event(Int)
    /// The next buyer of a flash sale arrives (index into the plan).
    case flashArrival(Int)
    /// Someone starts booking a slot (the bookings trend).
    case bookingArrival
    /// A booking client looks at the slots and picks one …
    case bookingView(client: Int, attempt: Int)
    /// … and POSTs the booking.
    case bookingPost(client: Int, slot: Int, attempt: Int)
    /// The next POST of one client of a booking rush (plan index, rusher index).
    case rushPost(event: Int, rusher: Int)
    /// The `k`-th worker on `route` starts (workflow workers, the counter fleet).
    case workerJoins(route: SimulatedRoute, Int)
    /// A worker (index into the engine's workers) takes its next item.
    case workerTask(Int)

    struct Edit: Sendable {
        var route: SimulatedRoute
        var resource: Int
        var client: Int
        /// The version read; sent with the write.
        var version = 0
        /// 1 for the first write, 2 for the first retry, …
        var attempt = 1
        var habit: EditHabit
        /// DELETE instead of the route's write method.
        var delete = false
        /// The injected event this session belongs to (index into the plan), or -1.
        var event = -1
        /// The back-office worker doing it (index into the engine's workers), or -1: a worker
        /// takes its next task once this one is over.
        var worker = -1
    }
}
