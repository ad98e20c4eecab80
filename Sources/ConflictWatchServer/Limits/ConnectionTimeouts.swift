import NIOCore

/// When one API connection has waited too long, as a value-type state machine: the channel
/// handler feeds it what happened and does what the returned action says.
///
/// A connection is awaiting a request head from the moment it opens, and again from the first
/// byte after a response: it must complete the head within `requestTimeout`, and more bytes do
/// not extend that (a client sending one byte a second gets no more time). Between a complete
/// head and the end of its response the request is the application's business. After the
/// response it is idle and gets `idleTimeout` before its next request begins.
struct ConnectionTimeouts {
    enum Phase: Equatable {
        /// `partial`: some bytes of the head came, so the client is owed a 408 rather than
        /// a bare close.
        case awaitingHead(since: NIODeadline, partial: Bool)
        /// Requests whose head was read and whose response has not ended (pipelining: several).
        case inFlight(Int)
        case idle(since: NIODeadline)
        case closed
    }

    enum Action: Equatable {
        case none
        /// Wake up at this time (replacing any earlier wake-up).
        case schedule(NIODeadline)
        case cancelTimer
        /// Close without a response: the client sent nothing, or a response is under way.
        case close
        /// Answer 408 with the JSON error body, then close.
        case requestTimedOut
    }

    let idleTimeout: TimeAmount
    let requestTimeout: TimeAmount
    private(set) var phase: Phase = .closed

    init(idleTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }

    mutating func opened(now: NIODeadline) -> Action {
        phase = .awaitingHead(since: now, partial: false)
        return .schedule(now + requestTimeout)
    }

    mutating func bytesReceived(now: NIODeadline) -> Action {
        switch phase {
        case .idle:
            phase = .awaitingHead(since: now, partial: true)
            return .schedule(now + requestTimeout)
        case .awaitingHead(let since, false):
            phase = .awaitingHead(since: since, partial: true)
            return .none
        case .awaitingHead, .inFlight, .closed:
            return .none
        }
    }

    mutating func requestHeadReceived() -> Action {
        switch phase {
        case .awaitingHead, .idle:
            phase = .inFlight(1)
            return .cancelTimer
        case .inFlight(let n):
            phase = .inFlight(n + 1)
            return .none
        case .closed:
            return .none
        }
    }

    mutating func responseEnded(now: NIODeadline) -> Action {
        guard case .inFlight(let n) = phase else { return .none }
        if n > 1 {
            phase = .inFlight(n - 1)
            return .none
        }
        phase = .idle(since: now)
        return .schedule(now + idleTimeout)
    }

    mutating func timerFired(now: NIODeadline) -> Action {
        switch phase {
        case .awaitingHead(let since, let partial):
            guard now >= since + requestTimeout else { return .schedule(since + requestTimeout) }
            phase = .closed
            return partial ? .requestTimedOut : .close
        case .idle(let since):
            guard now >= since + idleTimeout else { return .schedule(since + idleTimeout) }
            phase = .closed
            return .close
        case .inFlight, .closed:
            return .none
        }
    }

    mutating func closed() -> Action {
        phase = .closed
        return .cancelTimer
    }
}
