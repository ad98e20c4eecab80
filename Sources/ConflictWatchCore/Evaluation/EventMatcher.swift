/// The rule that decides whether an alert reports an injected event.
///
/// An alert matches an event when
/// - **route**: the alert's route is the event's route, or the alert's resource (its own, or
///   the top resource of its evidence) is the event's resource;
/// - **time**: the alert starts no earlier than the bucket in which the event starts (an
///   alert already open before it is about something else) and no later than `close_after`
///   buckets after the event ends (the detector may still be closing its bucket);
/// - **kind**: a burst event is matched by burst alerts; a hot-spot event by a hotspot alert
///   on its resource, or by a `single_resource` burst whose resource is its resource.
///
/// A burst alert that matches no event by route and time, whatever the event's kind, is a
/// false alert.
public struct EventMatcher: Sendable {
    public let bucketMicros: Int64
    public let closeAfter: Int

    public init(bucketSeconds: Double, closeAfter: Int) {
        bucketMicros = Int64(bucketSeconds * 1e6)
        self.closeAfter = closeAfter
    }

    /// Alert starts that count for the event: [start of its first bucket, end + close_after buckets].
    public func window(_ e: TimedEvent) -> ClosedRange<Int64> {
        let first = e.start >= 0 ? e.start / bucketMicros * bucketMicros : (e.start - bucketMicros + 1) / bucketMicros * bucketMicros
        return first...(e.end + Int64(closeAfter) * bucketMicros)
    }

    func sameRoute(_ a: AlertRecord, _ e: TimedEvent) -> Bool {
        if a.route == e.event.route { return true }
        guard let r = e.event.resource else { return false }
        return a.mainResource == r
    }

    /// Route and time agree: the alert is about this event, whatever it says it is.
    public func explains(_ a: AlertRecord, _ e: TimedEvent) -> Bool {
        window(e).contains(a.start) && sameRoute(a, e)
    }

    /// The alert detects the event: route, time and kind agree.
    public func matches(_ a: AlertRecord, _ e: TimedEvent) -> Bool {
        guard window(e).contains(a.start) else { return false }
        if e.isHotspot {
            guard let r = e.event.resource else { return false }
            if a.isHotspot { return a.resource == r }
            return a.isBurst && a.classes.contains("single_resource") && a.mainResource == r
        }
        return a.isBurst && sameRoute(a, e)
    }
}
