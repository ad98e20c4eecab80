import ConflictWatchCore

/// One request the simulator served, with why it got its status: the access-log line is made
/// from it, and the tests check the simulator's invariants on it (a conflict only on a stale
/// write, versions that only grow).
public struct SimulatedRequest: Sendable, Equatable {
    /// Why the server answered as it did.
    public enum Outcome: String, Sendable {
        /// A read, or a write that was accepted (its version matched, or the route does not check).
        case ok
        /// A write with a version older than the resource's: 409 or 412.
        case stale
        /// A create whose idempotency key was already used: 409 from the unique constraint.
        case duplicateKey
        /// A write refused by a faulty deploy, whatever its version: 409.
        case regression
        /// A write to a locked document, refused whatever its version: 409.
        case locked
        /// A booking of a slot someone already booked: 409 from the unique constraint.
        case slotTaken
    }

    public var time: Int64
    public var client: String
    public var method: String
    public var path: String
    public var status: Int
    public var bytes: Int
    public var latencyMicros: Int64
    public var userAgent: String
    public var requestID: String
    public var outcome: Outcome
    /// The route the simulator filed it under (nil for plain reads outside the modelled routes).
    public var route: SimulatedRoute?
    /// For a versioned write: the version the client sent (`If-Match` or body) …
    public var sentVersion: Int?
    /// … and the resource's version when the write arrived, before it was applied.
    public var currentVersion: Int?

    public var isWrite: Bool { method != "GET" && method != "HEAD" }
    public var isConflict: Bool { status == 409 || status == 412 || status == 423 }
}
