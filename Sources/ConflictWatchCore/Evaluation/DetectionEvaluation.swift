/// How the alerts of a run score against the truth (see `EventMatcher` for the rule): per event
/// detected or missed and how late, which alerts are false, precision and recall.
public struct DetectionEvaluation: Encodable, Sendable {
    public struct EventResult: Encodable, Sendable {
        public var id: String
        public var kind: String
        public var `class`: String
        public var route: String
        public var resource: String?
        public var client: String?
        public var start: String
        public var end: String
        public var peak: String?
        public var detected: Bool
        /// (first matching alert's start − event start) / bucket; negative when the alert's
        /// bucket began before the event did (it starts mid-bucket).
        public var delayBuckets: Double?
        public var alertID: String?
        public var alertKind: String?
        public var alertClass: [String]?
        /// The first matching alert names the event's class (hot spots: any hotspot alert).
        public var classMatch: Bool?
        /// Hot spots with a peak: the first matching alert started before the peak bucket …
        public var raisedBeforePeak: Bool?
        /// … by this many buckets (negative: after it).
        public var leadBuckets: Double?
        public var matchingAlerts: Int

        public var isHotspot: Bool { kind == "hotspot" }

        enum CodingKeys: String, CodingKey {
            case id, kind, `class`, route, resource, client, start, end, peak, detected
            case delayBuckets = "delay_buckets"
            case alertID = "alert_id"
            case alertKind = "alert_kind"
            case alertClass = "alert_class"
            case classMatch = "class_match"
            case raisedBeforePeak = "raised_before_peak"
            case leadBuckets = "lead_buckets"
            case matchingAlerts = "matching_alerts"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(kind, forKey: .kind)
            try c.encode(self.class, forKey: .class)
            try c.encode(route, forKey: .route)
            try c.encode(resource, forKey: .resource)
            try c.encode(client, forKey: .client)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(peak, forKey: .peak)
            try c.encode(detected, forKey: .detected)
            try c.encode(delayBuckets, forKey: .delayBuckets)
            try c.encode(alertID, forKey: .alertID)
            try c.encode(alertKind, forKey: .alertKind)
            try c.encode(alertClass, forKey: .alertClass)
            try c.encode(classMatch, forKey: .classMatch)
            try c.encode(raisedBeforePeak, forKey: .raisedBeforePeak)
            try c.encode(leadBuckets, forKey: .leadBuckets)
            try c.encode(matchingAlerts, forKey: .matchingAlerts)
        }
    }

    /// A burst alert no event explains.
    public struct FalseAlert: Encodable, Sendable {
        public var id: String
        public var route: String
        public var `class`: [String]
        public var client: String?
        public var resource: String?
        public var start: String
        public var end: String?

        enum CodingKeys: String, CodingKey { case id, route, `class`, client, resource, start, end }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(route, forKey: .route)
            try c.encode(self.class, forKey: .class)
            try c.encode(client, forKey: .client)
            try c.encode(resource, forKey: .resource)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
        }
    }

    public var events: [EventResult]
    public var detected: Int
    public var missed: Int
    /// detected / events; nil without events.
    public var recall: Double?
    public var burstAlerts: Int
    public var trueBurstAlerts: Int
    public var falseBurstAlerts: [FalseAlert]
    /// Burst alerts that report an event / all burst alerts; nil without burst alerts.
    public var precision: Double?
    /// Length of the simulated traffic.
    public var hours: Double
    public var falseBurstsPerHour: Double
    public var hotspotAlerts: Int
    /// Hotspot alerts on an event's resource within its window.
    public var hotspotAlertsOnEvents: Int
    /// The other hotspot alerts, by route: steady hot resources (counters) belong here; a
    /// route that never conflicts (notes) should not.
    public var otherHotspotAlertsByRoute: [String: Int]
    /// Hotspot alerts whose resource saw a conflict within the horizon after the alert opened /
    /// all hotspot alerts (filled in by the replay; nil without it or without hotspot alerts).
    public var hotspotAlertPrecision: Double?

    enum CodingKeys: String, CodingKey {
        case events, detected, missed, recall
        case burstAlerts = "burst_alerts"
        case trueBurstAlerts = "true_burst_alerts"
        case falseBurstAlerts = "false_burst_alerts"
        case falseBursts = "false_bursts"
        case precision, hours
        case falseBurstsPerHour = "false_bursts_per_hour"
        case hotspotAlerts = "hotspot_alerts"
        case hotspotAlertsOnEvents = "hotspot_alerts_on_events"
        case otherHotspotAlertsByRoute = "other_hotspot_alerts_by_route"
        case hotspotAlertPrecision = "hotspot_alert_precision"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(events, forKey: .events)
        try c.encode(detected, forKey: .detected)
        try c.encode(missed, forKey: .missed)
        try c.encode(recall, forKey: .recall)
        try c.encode(burstAlerts, forKey: .burstAlerts)
        try c.encode(trueBurstAlerts, forKey: .trueBurstAlerts)
        try c.encode(falseBurstAlerts.count, forKey: .falseBursts)
        try c.encode(falseBurstAlerts, forKey: .falseBurstAlerts)
        try c.encode(precision, forKey: .precision)
        try c.encode(hours, forKey: .hours)
        try c.encode(falseBurstsPerHour, forKey: .falseBurstsPerHour)
        try c.encode(hotspotAlerts, forKey: .hotspotAlerts)
        try c.encode(hotspotAlertsOnEvents, forKey: .hotspotAlertsOnEvents)
        try c.encode(otherHotspotAlertsByRoute, forKey: .otherHotspotAlertsByRoute)
        try c.encode(hotspotAlertPrecision, forKey: .hotspotAlertPrecision)
    }

    /// Scores `alerts` against `events` over traffic of `hours`.
    public static func score(events: [TimedEvent], alerts: [AlertRecord], matcher: EventMatcher, hours: Double) -> DetectionEvaluation {
        let bucket = Double(matcher.bucketMicros)
        var results: [EventResult] = []
        for e in events {
            let matching = alerts.filter { matcher.matches($0, e) }.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
            let first = matching.first
            results.append(EventResult(
                id: e.event.id, kind: e.event.kind, class: e.event.class, route: e.event.route, resource: e.event.resource,
                client: e.event.client, start: e.event.start, end: e.event.end, peak: e.event.peak, detected: first != nil,
                delayBuckets: first.map { (Double($0.start - e.start) / bucket * 100).rounded() / 100 },
                alertID: first?.id, alertKind: first?.kind, alertClass: first?.classes,
                classMatch: first.map { a in e.isHotspot ? (a.isHotspot || a.classes.contains("single_resource")) : a.classes.contains(e.event.class) },
                raisedBeforePeak: e.peak.flatMap { peak in first.map { $0.start < peak } },
                leadBuckets: e.peak.flatMap { peak in first.map { (Double(peak - $0.start) / bucket * 100).rounded() / 100 } },
                matchingAlerts: matching.count))
        }
        let bursts = alerts.filter(\.isBurst)
        let falseOnes = bursts.filter { a in !events.contains { matcher.explains(a, $0) } }
        var onEvents = 0
        var other: [String: Int] = [:]
        for a in alerts where a.isHotspot {
            if events.contains(where: { $0.event.resource == a.resource && matcher.window($0).contains(a.start) }) {
                onEvents += 1
            } else {
                other[a.route, default: 0] += 1
            }
        }
        let detected = results.filter(\.detected).count
        return DetectionEvaluation(
            events: results, detected: detected, missed: results.count - detected,
            recall: results.isEmpty ? nil : Double(detected) / Double(results.count),
            burstAlerts: bursts.count, trueBurstAlerts: bursts.count - falseOnes.count,
            falseBurstAlerts: falseOnes.map {
                FalseAlert(id: $0.id, route: $0.route, class: $0.classes, client: $0.client, resource: $0.mainResource,
                           start: CivilTime.rfc3339($0.start), end: $0.end.map(CivilTime.rfc3339))
            },
            precision: bursts.isEmpty ? nil : Double(bursts.count - falseOnes.count) / Double(bursts.count),
            hours: hours, falseBurstsPerHour: hours > 0 ? Double(falseOnes.count) / hours : 0,
            hotspotAlerts: alerts.filter(\.isHotspot).count, hotspotAlertsOnEvents: onEvents,
            otherHotspotAlertsByRoute: other, hotspotAlertPrecision: nil)
    }
}
