import ConflictWatchCore

/// The routes of the simulated API and how each treats concurrent writers. Every route the
/// quality bar talks about is here: version-checked routes with warm resources (orders), mostly
/// single-writer routes (carts, profiles), a steady high-conflict route (counters), a route that
/// never checks versions (notes: last write wins, never a conflict however hot), the stock
/// route a flash sale stampedes, shared documents some of which are locked (a steady trickle of
/// 409s that are not races), and workflow items moved through their states by back-office
/// workers.
public enum SimulatedRoute: Int, CaseIterable, Sendable {
    case orders, carts, profiles, counters, notes, stock, documents, workflows

    /// How a write on a stale version is refused.
    public enum VersionCheck: Sendable {
        /// `If-Match: "<version>"`: 412 Precondition Failed.
        case ifMatch
        /// The version travels in the body: 409 Conflict.
        case bodyVersion
        /// Last write wins: never refused.
        case none
    }

    /// The template conflictwatch's normalizer gives its paths.
    public var template: String {
        switch self {
        case .orders: "/api/orders/{id}"
        case .carts: "/api/carts/{token}"
        case .profiles: "/api/users/{uuid}/profile"
        case .counters: "/api/counters/{id}"
        case .notes: "/api/notes/{id}"
        case .stock: "/api/products/{id}/stock"
        case .documents: "/api/documents/{id}"
        case .workflows: "/api/workflows/{id}/state"
        }
    }

    public var check: VersionCheck {
        switch self {
        case .orders, .profiles, .stock: .ifMatch
        case .carts, .counters, .documents, .workflows: .bodyVersion
        case .notes: .none
        }
    }

    var writeMethod: String {
        switch self {
        case .orders, .profiles, .notes, .documents: "PUT"
        case .carts, .counters, .stock, .workflows: "PATCH"
        }
    }

    var staleStatus: Int { check == .ifMatch ? 412 : 409 }

    /// How people and programs edit this route's resources.
    var habit: EditHabit {
        switch self {
        case .orders: EditHabit(thinkMedian: 3, thinkSigma: 0.8, retryProbability: 0.6, backoff: 0.5...3, maxAttempts: 3)
        case .carts: EditHabit(thinkMedian: 1, thinkSigma: 0.7, retryProbability: 0.9, backoff: 0.2...1, maxAttempts: 3)
        case .profiles: EditHabit(thinkMedian: 8, thinkSigma: 0.8, retryProbability: 0.5, backoff: 1...5, maxAttempts: 2)
        // Read-modify-write by programs: short edit, quick retries with exponential back-off.
        case .counters: EditHabit(thinkMedian: 0.25, thinkSigma: 0.5, retryProbability: 0.95, backoff: 0.05...0.4, maxAttempts: 5)
        case .notes: EditHabit(thinkMedian: 2, thinkSigma: 0.8, retryProbability: 0, backoff: 1...1, maxAttempts: 1)
        case .stock: EditHabit(thinkMedian: 2, thinkSigma: 0.7, retryProbability: 0.8, backoff: 0.2...1.5, maxAttempts: 3)
        // People editing a text: a long read→write gap, an occasional reload-and-retry.
        case .documents: EditHabit(thinkMedian: 6, thinkSigma: 0.8, retryProbability: 0.5, backoff: 1...4, maxAttempts: 2)
        case .workflows: WorkflowBoard.habit
        }
    }
}
