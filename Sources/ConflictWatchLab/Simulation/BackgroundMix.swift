import ConflictWatchCore

/// What the regular clients do, and how often: each background session is one of these.
/// Shares are of sessions, not requests; an edit session is a read and a write (plus retries).
enum BackgroundMix: CaseIterable, Sendable {
    case productView, healthCheck, orderView, orderEdit, orderCreate, cartEdit, profileEdit, counterIncrement, noteEdit, stockAdjust,
         documentEdit

    var share: Double {
        switch self {
        case .productView: 0.17
        case .healthCheck: 0.03
        case .orderView: 0.12
        case .orderEdit: 0.18
        case .orderCreate: 0.06
        case .cartEdit: 0.12
        case .profileEdit: 0.04
        case .counterIncrement: 0.08
        case .noteEdit: 0.10
        case .stockAdjust: 0.05
        case .documentEdit: 0.05
        }
    }

    /// Requests of one session before retries.
    var requests: Double {
        switch self {
        case .productView, .healthCheck, .orderView, .orderCreate: 1
        default: 2
        }
    }

    /// Requests per session on average, to turn `--rate` (requests/s) into sessions/s; retries
    /// and double submits add a few percent on top.
    static var meanRequests: Double { allCases.reduce(0) { $0 + $1.share * $1.requests } }

    static func pick(_ rng: inout SimulationRandom) -> BackgroundMix {
        var u = rng.unit()
        for m in allCases {
            u -= m.share
            if u < 0 { return m }
        }
        return .productView
    }
}
