import ConflictWatchCore

/// The rule that decides whether an alert reports an injected event, and when it did.
///
/// The event's **window** runs from the start of the bucket in which the event starts to
/// `close_after` buckets after its end (the detector may still be closing its bucket). An alert
/// **detects** an event when route, time and kind agree, at its detection time:
/// - a **burst event** is detected by a burst alert on its route (or whose resource, its own
///   or the top one of its evidence, is the event's resource) that starts in the window — at
///   its start; or that was already open before the window and escalated inside it — at the
///   first such escalation. An alert open before the event that never escalates for it is
///   about something else: the step was swallowed.
/// - a **hot-spot event** is detected by a hotspot alert naming its resource — its own
///   `resource` at the alert's start, or a `top_resources` entry at that entry's `since` (a
///   grouped alert the resource joined) — with that time in the window; or by a
///   `single_resource` burst on its resource starting in the window.
///
/// An alert **explains** an event when its opening is about it: it starts in the window and
/// its route agrees (a hotspot alert must name a hot-spot event's resource). An alert whose
/// opening explains no event is not about any incident: a false burst, or an alert of the
/// non-event volume.
public struct EventMatcher: Sendable {
    public let bucketMicros: Int64
    public let closeAfter: Int

    /// How an alert detected an event.
    public enum Via: String, Sendable, Encodable {
        /// The alert opened for it.
        case opened
        /// An open burst escalated.
        case escalation
        /// The resource joined an open grouped hotspot alert.
        case joined
    }

    public struct Detection: Sendable, Equatable {
        public var time: Int64
        public var via: Via
    }

    public init(bucketSeconds: Double, closeAfter: Int) {
        bucketMicros = Int64(bucketSeconds * 1e6)
        self.closeAfter = closeAfter
    }

    /// Times that count for the event: [start of its first bucket, end + close_after buckets].
    public func window(_ e: TimedEvent) -> ClosedRange<Int64> {
        let first = e.start >= 0 ? e.start / bucketMicros * bucketMicros : (e.start - bucketMicros + 1) / bucketMicros * bucketMicros
        return first...(e.end + Int64(closeAfter) * bucketMicros)
    }

    func sameRoute(_ a: AlertRecord, _ e: TimedEvent) -> Bool {
        if a.route == e.event.route { return true }
        guard let r = e.event.resource else { return false }
        return a.mainResource == r
    }

    /// The alert's opening is about this event, whatever it says it is.
    public func explains(_ a: AlertRecord, _ e: TimedEvent) -> Bool {
        guard window(e).contains(a.start) else { return false }
        if a.isHotspot, e.isHotspot {
            guard let r = e.event.resource else { return false }
            return a.members.contains { $0.resource == r }
        }
        return sameRoute(a, e)
    }

    /// When (and how) the alert detects the event; nil when it does not.
    public func detection(_ a: AlertRecord, _ e: TimedEvent) -> Detection? {
        let w = window(e)
        if e.isHotspot {
            guard let r = e.event.resource else { return nil }
            if a.isHotspot {
                let joins = a.members.filter { $0.resource == r && w.contains($0.since) }.map(\.since)
                guard let t = joins.min() else { return nil }
                return Detection(time: t, via: t == a.start ? .opened : .joined)
            }
            guard a.isBurst, a.classes.contains("single_resource"), a.mainResource == r, w.contains(a.start) else { return nil }
            return Detection(time: a.start, via: .opened)
        }
        guard a.isBurst, sameRoute(a, e) else { return nil }
        if w.contains(a.start) { return Detection(time: a.start, via: .opened) }
        guard a.start < w.lowerBound, let t = a.escalations.filter({ w.contains($0) }).min() else { return nil }
        return Detection(time: t, via: .escalation)
    }

    /// The alert detects the event.
    public func matches(_ a: AlertRecord, _ e: TimedEvent) -> Bool { detection(a, e) != nil }
}
