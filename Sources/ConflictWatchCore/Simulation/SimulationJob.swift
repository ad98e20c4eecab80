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
    }
}
