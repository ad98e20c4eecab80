import ConflictWatchCore

/// How the alerts of a run score against the truth (see `EventMatcher` for the rule): per event
/// detected or missed, how late, and whether the alert names the right classes and client;
/// which alerts are false, how many alerts explain no event, precision and recall.
public struct DetectionEvaluation: Encodable, Sendable {
    /// Alerts opened in the first 15 minutes of the log (or before its first event, if that is
    /// sooner) are left out of the non-event volume: the detector is still learning there.
    public static let warmupSeconds = 900.0

    public struct EventResult: Encodable, Sendable {
        public var id: String
        public var kind: String
        public var `class`: String
        /// The classes the alert must name (the truth's `classes`, or its `class`).
        public var classes: [String]
        public var route: String
        public var resource: String?
        public var client: String?
        public var start: String
        public var end: String
        public var peak: String?
        public var onset: String?
        public var detected: Bool
        /// The first detection: the alert's start, its escalation, or the resource's joining.
        public var detectedAt: String?
        public var detectedVia: EventMatcher.Via?
        /// (detection time − event start) / bucket; negative when the alert's bucket began
        /// before the event did (it starts mid-bucket).
        public var delayBuckets: Double?
        public var alertID: String?
        public var alertKind: String?
        public var alertClass: [String]?
        public var alertClient: String?
        /// Required classes the detecting alert does not name.
        public var missingClasses: [String]?
        /// The detecting alert names every required class …
        public var classMatch: Bool?
        /// … and the truth's client, when the truth names one (nil otherwise).
        public var clientMatch: Bool?
        /// Both: the diagnosis is right.
        public var classOK: Bool?
        /// Hot spots with a peak: the first detection came before the peak bucket …
        public var raisedBeforePeak: Bool?
        /// … by this many buckets (negative: after it).
        public var leadBuckets: Double?
        public var matchingAlerts: Int
        /// Hot spots, from the ranking replay: when the model first ranked the resource #1 …
        public var rankedFirstAt: String?
        /// … seconds after the event's start …
        public var rankedFirstAfterStart: Double?
        /// … and after its onset (the first concurrent writes; negative: before them).
        public var rankedFirstAfterOnset: Double?

        public var isHotspot: Bool { kind == "hotspot" }

        enum CodingKeys: String, CodingKey {
            case id, kind, `class`, classes, route, resource, client, start, end, peak, onset, detected
            case detectedAt = "detected_at"
            case detectedVia = "detected_via"
            case delayBuckets = "delay_buckets"
            case alertID = "alert_id"
            case alertKind = "alert_kind"
            case alertClass = "alert_class"
            case alertClient = "alert_client"
            case missingClasses = "missing_classes"
            case classMatch = "class_match"
            case clientMatch = "client_match"
            case classOK = "class_ok"
            case raisedBeforePeak = "raised_before_peak"
            case leadBuckets = "lead_buckets"
            case matchingAlerts = "matching_alerts"
            case rankedFirstAt = "ranked_first_at"
            case rankedFirstAfterStart = "ranked_first_after_start_s"
            case rankedFirstAfterOnset = "ranked_first_after_onset_s"
        }

        /// Every key is written, absent values as null, so consumers can rely on the shape.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(kind, forKey: .kind)
            try c.encode(self.class, forKey: .class)
            try c.encode(classes, forKey: .classes)
            try c.encode(route, forKey: .route)
            try c.encode(resource, forKey: .resource)
            try c.encode(client, forKey: .client)
            try c.encode(start, forKey: .start)
            try c.encode(end, forKey: .end)
            try c.encode(peak, forKey: .peak)
            try c.encode(onset, forKey: .onset)
            try c.encode(detected, forKey: .detected)
            try c.encode(detectedAt, forKey: .detectedAt)
            try c.encode(detectedVia, forKey: .detectedVia)
            try c.encode(delayBuckets, forKey: .delayBuckets)
            try c.encode(alertID, forKey: .alertID)
            try c.encode(alertKind, forKey: .alertKind)
            try c.encode(alertClass, forKey: .alertClass)
            try c.encode(alertClient, forKey: .alertClient)
            try c.encode(missingClasses, forKey: .missingClasses)
            try c.encode(classMatch, forKey: .classMatch)
            try c.encode(clientMatch, forKey: .clientMatch)
            try c.encode(classOK, forKey: .classOK)
            try c.encode(raisedBeforePeak, forKey: .raisedBeforePeak)
            try c.encode(leadBuckets, forKey: .leadBuckets)
            try c.encode(matchingAlerts, forKey: .matchingAlerts)
            try c.encode(rankedFirstAt, forKey: .rankedFirstAt)
            try c.encode(rankedFirstAfterStart, forKey: .rankedFirstAfterStart)
            try c.encode(rankedFirstAfterOnset, forKey: .rankedFirstAfterOnset)
        }
    }

    /// An alert listed as not being about any event (false burst, non-event volume, quiet route).
    public struct FalseAlert: Encodable, Sendable {
        public var id: String
        public var kind: String
        public var route: String
        public var `class`: [String]
        public var client: String?
        public var resource: String?
        public var start: String
        public var end: String?

        init(_ a: AlertRecord) {
            id = a.id
            kind = a.kind
            route = a.route
            self.class = a.classes
            client = a.client
            resource = a.mainResource
            start = CivilTime.rfc3339(a.start)
            end = a.end.map(CivilTime.rfc3339)
        }

        enum CodingKeys: String, CodingKey { case id, kind, route, `class`, client, resource, start, end }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(kind, forKey: .kind)
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
    /// Detected events whose alert has the right classes and client.
    public var classesOK: Int
    public var burstAlerts: Int
    public var trueBurstAlerts: Int
    /// Burst alerts whose opening explains no event (over the whole log).
    public var falseBurstAlerts: [FalseAlert]
    /// Burst alerts that report an event / all burst alerts; nil without burst alerts.
    public var precision: Double?
    /// Length of the simulated traffic.
    public var hours: Double
    public var falseBurstsPerHour: Double
    /// End of the warm-up: 15 minutes into the log, or the first event's start if sooner.
    public var warmupEnd: String
    public var warmupEndsAtFirstEvent: Bool
    /// Traffic after the warm-up, hours.
    public var scoredHours: Double
    /// Alerts of either kind opened after the warm-up whose opening explains no event.
    public var nonEventAlerts: [FalseAlert]
    public var nonEventAlertsPerHour: Double
    /// Alerts of any kind, at any time, on a route the truth says is quiet.
    public var quietRouteAlerts: [FalseAlert]
    public var hotspotAlerts: Int
    /// Hotspot alerts whose opening explains an event.
    public var hotspotAlertsOnEvents: Int
    /// The other hotspot alerts, by route.
    public var otherHotspotAlertsByRoute: [String: Int]
    /// (Hotspot alert, named resource) pairs whose resource saw a conflict within the horizon
    /// after joining the alert / all such pairs (filled in by the replay; nil without it or
    /// without hotspot alerts).
    public var hotspotAlertPrecision: Double?

    enum CodingKeys: String, CodingKey {
        case events, detected, missed, recall
        case classesOK = "classes_ok"
        case burstAlerts = "burst_alerts"
        case trueBurstAlerts = "true_burst_alerts"
        case falseBurstAlerts = "false_burst_alerts"
        case falseBursts = "false_bursts"
        case precision, hours
        case falseBurstsPerHour = "false_bursts_per_hour"
        case warmupEnd = "warmup_end"
        case warmupEndsAtFirstEvent = "warmup_ends_at_first_event"
        case scoredHours = "scored_hours"
        case nonEventAlerts = "non_event_alerts"
        case nonEventAlertCount = "non_event_alert_count"
        case nonEventAlertsPerHour = "non_event_alerts_per_hour"
        case quietRouteAlerts = "quiet_route_alerts"
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
        try c.encode(classesOK, forKey: .classesOK)
        try c.encode(burstAlerts, forKey: .burstAlerts)
        try c.encode(trueBurstAlerts, forKey: .trueBurstAlerts)
        try c.encode(falseBurstAlerts.count, forKey: .falseBursts)
        try c.encode(falseBurstAlerts, forKey: .falseBurstAlerts)
        try c.encode(precision, forKey: .precision)
        try c.encode(hours, forKey: .hours)
        try c.encode(falseBurstsPerHour, forKey: .falseBurstsPerHour)
        try c.encode(warmupEnd, forKey: .warmupEnd)
        try c.encode(warmupEndsAtFirstEvent, forKey: .warmupEndsAtFirstEvent)
        try c.encode(scoredHours, forKey: .scoredHours)
        try c.encode(nonEventAlerts, forKey: .nonEventAlerts)
        try c.encode(nonEventAlerts.count, forKey: .nonEventAlertCount)
        try c.encode(nonEventAlertsPerHour, forKey: .nonEventAlertsPerHour)
        try c.encode(quietRouteAlerts, forKey: .quietRouteAlerts)
        try c.encode(hotspotAlerts, forKey: .hotspotAlerts)
        try c.encode(hotspotAlertsOnEvents, forKey: .hotspotAlertsOnEvents)
        try c.encode(otherHotspotAlertsByRoute, forKey: .otherHotspotAlertsByRoute)
        try c.encode(hotspotAlertPrecision, forKey: .hotspotAlertPrecision)
    }

    /// Required classes the alert does not name. A hotspot alert names `single_resource` by
    /// its kind (it is about one resource); every other class must be in its `class` array.
    public static func missingClasses(_ a: AlertRecord, _ e: TimedEvent) -> [String] {
        e.event.requiredClasses.filter { c in !(a.classes.contains(c) || (c == "single_resource" && a.isHotspot)) }
    }

    /// Scores `alerts` against `events` over the traffic from `start` to `end` (microseconds).
    public static func score(events: [TimedEvent], alerts: [AlertRecord], matcher: EventMatcher, start: Int64, end: Int64,
                             quietRoutes: [String] = []) -> DetectionEvaluation {
        let bucket = Double(matcher.bucketMicros)
        func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
        var results: [EventResult] = []
        for e in events {
            let found = alerts.compactMap { a in matcher.detection(a, e).map { (alert: a, detection: $0) } }
                .sorted { ($0.detection.time, $0.alert.id) < ($1.detection.time, $1.alert.id) }
            let first = found.first
            let missing = first.map { missingClasses($0.alert, e) }
            let clientMatch = first.flatMap { f in e.event.client.map { f.alert.client == $0 } }
            let at = first?.detection.time
            results.append(EventResult(
                id: e.event.id, kind: e.event.kind, class: e.event.class, classes: e.event.requiredClasses, route: e.event.route,
                resource: e.event.resource, client: e.event.client, start: e.event.start, end: e.event.end, peak: e.event.peak,
                onset: e.event.onset, detected: first != nil, detectedAt: at.map(CivilTime.rfc3339), detectedVia: first?.detection.via,
                delayBuckets: at.map { round2(Double($0 - e.start) / bucket) },
                alertID: first?.alert.id, alertKind: first?.alert.kind, alertClass: first?.alert.classes, alertClient: first?.alert.client,
                missingClasses: missing, classMatch: missing.map(\.isEmpty), clientMatch: clientMatch,
                classOK: missing.map { $0.isEmpty && clientMatch != false },
                raisedBeforePeak: e.peak.flatMap { peak in at.map { $0 < peak } },
                leadBuckets: e.peak.flatMap { peak in at.map { round2(Double(peak - $0) / bucket) } },
                matchingAlerts: found.count))
        }
        let explained: (AlertRecord) -> Bool = { a in events.contains { matcher.explains(a, $0) } }
        let bursts = alerts.filter(\.isBurst)
        let falseOnes = bursts.filter { !explained($0) }
        var onEvents = 0
        var other: [String: Int] = [:]
        for a in alerts where a.isHotspot {
            if explained(a) { onEvents += 1 } else { other[a.route, default: 0] += 1 }
        }
        let firstEvent = events.map(\.start).min()
        let warmupEnd = min(start + Int64(warmupSeconds * 1e6), firstEvent ?? .max)
        let scoredHours = max(0, Double(end - warmupEnd) / 3.6e9)
        let nonEvent = alerts.filter { $0.start >= warmupEnd && !explained($0) }
        let detected = results.filter(\.detected).count
        let hours = Double(end - start) / 3.6e9
        return DetectionEvaluation(
            events: results, detected: detected, missed: results.count - detected,
            recall: results.isEmpty ? nil : Double(detected) / Double(results.count),
            classesOK: results.filter { $0.classOK == true }.count,
            burstAlerts: bursts.count, trueBurstAlerts: bursts.count - falseOnes.count,
            falseBurstAlerts: falseOnes.map(FalseAlert.init),
            precision: bursts.isEmpty ? nil : Double(bursts.count - falseOnes.count) / Double(bursts.count),
            hours: hours, falseBurstsPerHour: hours > 0 ? Double(falseOnes.count) / hours : 0,
            warmupEnd: CivilTime.rfc3339(warmupEnd), warmupEndsAtFirstEvent: firstEvent.map { $0 <= warmupEnd } ?? false,
            scoredHours: (scoredHours * 10_000).rounded() / 10_000,
            nonEventAlerts: nonEvent.map(FalseAlert.init),
            nonEventAlertsPerHour: scoredHours > 0 ? round2(Double(nonEvent.count) / scoredHours) : 0,
            quietRouteAlerts: alerts.filter { quietRoutes.contains($0.route) }.map(FalseAlert.init),
            hotspotAlerts: alerts.filter(\.isHotspot).count, hotspotAlertsOnEvents: onEvents,
            otherHotspotAlertsByRoute: other, hotspotAlertPrecision: nil)
    }

    /// Adds the ranking replay's lead times to the hot-spot events.
    public mutating func attach(_ leads: [RankingEvaluation.HotspotLead]) {
        for lead in leads {
            guard let i = events.firstIndex(where: { $0.id == lead.event }) else { continue }
            events[i].rankedFirstAt = lead.rankedFirstAt
            events[i].rankedFirstAfterStart = lead.afterStart
            events[i].rankedFirstAfterOnset = lead.afterOnset
        }
    }
}
