/// The life of one alert as a value-type state machine (SPEC §6): the model tells it what each
/// bucket showed, and it answers with the transition a person is told about, if any. The daemon,
/// the store and the webhooks consume these transitions instead of diffing every alert of the
/// run at each flush.
///
///     (new) ──anomalous──▶ open ──quiet × close_after──▶ closed ──anomalous within reopen window──▶ open
///                           │  ▲                                  (same id: `reopened`)
///                           └──┘ anomalous: `update`, or `escalate` when the count jumps
struct AlertLifecycle: Equatable {
    enum State: Equatable {
        case open(quietBuckets: Int)
        case closed(at: Int64)
    }

    enum Action: Equatable {
        case open, update, escalate, close, reopen
    }

    private(set) var state: State = .open(quietBuckets: 0)

    var isOpen: Bool { if case .open = state { true } else { false } }

    var closedAt: Int64? { if case .closed(let t) = state { t } else { nil } }

    /// A bucket that belongs to this incident. `escalated` is the model's verdict that its count
    /// is far above the level the alert opened at.
    mutating func anomalous(escalated: Bool) -> Action {
        switch state {
        case .open:
            state = .open(quietBuckets: 0)
            return escalated ? .escalate : .update
        case .closed:
            state = .open(quietBuckets: 0)
            return .reopen
        }
    }

    /// A bucket without evidence; `end` is when the incident was last seen. Closes after
    /// `closeAfter` of them in a row.
    mutating func quiet(closeAfter: Int, end: Int64) -> Action? {
        guard case .open(let q) = state else { return nil }
        if q + 1 >= closeAfter {
            state = .closed(at: end)
            return .close
        }
        state = .open(quietBuckets: q + 1)
        return nil
    }

    /// Whether a closed alert may still come back as the same incident at `t`.
    func canReopen(at t: Int64, window: Int64) -> Bool {
        guard case .closed(let end) = state else { return false }
        return t - end <= window
    }

    /// Restored from a snapshot.
    init(state: State = .open(quietBuckets: 0)) { self.state = state }
}
