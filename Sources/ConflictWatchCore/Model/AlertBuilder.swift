#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns an alert's state into the reported `Alert` (SPEC §6): classes from the conflicts above
/// the baseline, severity, and one sentence a person can act on.
enum AlertBuilder {
    /// The diagnosis of a burst (SPEC §5.4).
    struct Diagnosis: Equatable {
        var classes: [String]
        var clientShare: Double
        var resourceShare: Double
        var loadDriven: Bool
        var creates: Bool
        var multiRoute: Bool
        var writesPerBucket: Double
    }

    static func diagnose(_ s: BurstAlertState, p: ModelParameters) -> Diagnosis {
        let clientShare: Double, resourceShare: Double
        switch s.scope {
        case .client where s.excess <= 0:
            clientShare = 1
            resourceShare = BurstAlertState.excessShare(s.resources, excess: Double(s.conflicts))
        case .overall:
            clientShare = s.clients.topShare
            resourceShare = s.resources.topShare
        case .route, .client:
            // Shares of the excess: a client owning what is above normal is the story, even when
            // the route's normal conflicts come from everyone.
            clientShare = BurstAlertState.excessShare(s.excessClients, excess: s.excess)
            resourceShare = BurstAlertState.excessShare(s.excessResources, excess: s.excess)
        }
        // Creates refused by a unique constraint all land on the collection's one path: that is
        // not one object being stampeded.
        let creates = s.conflicts > 0 && 2 * s.createConflicts >= s.conflicts
        var classes: [String]
        if clientShare >= p.singleShare {
            classes = ["single_client"]
        } else if !creates, resourceShare >= p.singleShare {
            classes = ["single_resource"]
        } else {
            classes = ["route_wide"]
        }
        if creates { classes.append("duplicate_create") }
        let multi = s.multiRoute || s.routesHit.count >= 2 && s.routesHit.values.sorted(by: >).dropFirst().first.map { Double($0) >= 0.2 * Double(s.conflicts) } == true
        if multi { classes.append("multi_route") }
        // Load-driven only when the writes rose and the ratio rose no more than they did (race
        // overlap grows with the write rate); a ratio that jumped is the route's own doing.
        let writesPerBucket = Double(s.writes) / Double(max(s.anomalousBuckets, 1))
        let writeFactor = s.baselineWritesPerBucket > 0 ? writesPerBucket / s.baselineWritesPerBucket : 0
        let ratioNow = s.writes > 0 ? Double(s.conflicts) / Double(s.writes) : 0
        let ratioFactor = ratioNow / max(s.baselineRatio, 1e-6)
        let loadDriven = writeFactor >= p.loadFactor && ratioFactor <= writeFactor
        classes.append(loadDriven ? "load_driven" : "ratio_driven")
        return Diagnosis(classes: classes, clientShare: clientShare, resourceShare: resourceShare, loadDriven: loadDriven,
                         creates: creates, multiRoute: multi, writesPerBucket: writesPerBucket)
    }

    /// Severity bands: the peak count and the strength of the evidence must both be there.
    static func severity(peak n: Int, score sc: Double) -> Alert.Severity {
        if n >= 100 && sc >= 20 { return .critical }
        if n >= 30 && sc >= 10 { return .high }
        if n >= 10 && sc >= 6 { return .medium }
        return .low
    }

    static func burst(_ s: BurstAlertState, routeName: (Int) -> String, p: ModelParameters) -> Alert {
        let route = routeName(s.routeIndex)
        let d = diagnose(s, p: p)
        let primary = d.classes[0]
        let excessClients = s.excessClients.top(5)
        let excessResources = s.excessResources.top(5)
        var client: String? = nil
        if case .client = s.scope { client = s.clientLabel } else if primary == "single_client" {
            client = (excessClients.first ?? s.clients.top(1).first)?.label
        }
        let resource = primary == "single_resource" ? (excessResources.first ?? s.resources.top(1).first)?.label : nil
        let bucket = Int(p.bucketSeconds)
        let expected = String(format1: s.expectedAtPeak)
        let clientsSeen = "\(s.clients.distinctTracked)\(s.clients.distinctTracked >= s.clients.capacity ? "+" : "")"
        let peak = "peak \(s.peakCount) per \(bucket) s, expected \(expected)"
        let reason: String
        switch (primary, d.creates) {
        case ("single_client", true):
            reason = "Client \(client ?? "?") kept repeating creates on \(route) that were refused as duplicates (\(percent(d.clientShare)) of the \(Int(s.excess.rounded())) conflicts above normal, \(peak)): a client resubmitting with a used idempotency key — check its retry logic."
        case ("single_client", false):
            reason = "Client \(client ?? "?") caused \(percent(d.clientShare)) of the \(Int(s.excess.rounded())) conflicts above normal on \(route) (\(peak)): a retry storm or a client replaying a stale version — check its retry back-off and how it sends If-Match."
        case ("single_resource", _):
            reason = "\(resource ?? route) took \(percent(d.resourceShare)) of the \(Int(s.excess.rounded())) conflicts above normal, from \(clientsSeen) clients (\(peak)): a stampede on one object — serialize or queue writes to it, or split it."
        case (_, true):
            reason = "Creates on \(route) were refused as duplicates for \(clientsSeen) clients (\(peak)): clients competing for unique slots or keys (a rush on limited items) — check capacity, or queue the creates."
        default:
            if d.loadDriven {
                reason = "Writes to \(route) rose to \(Int(d.writesPerBucket)) per \(bucket) s (usually \(Int(s.baselineWritesPerBucket))) and conflicts rose with them at a similar ratio (\(peak)) across \(clientsSeen) clients: contention from load — find what drives the extra writes."
            } else {
                let ratioNow = s.writes > 0 ? Double(s.conflicts) / Double(s.writes) : 0
                reason = "\(route) started refusing \(percent(ratioNow)) of writes with conflicts (usually \(percent(s.baselineRatio))) across \(clientsSeen) clients and \(s.resources.distinctTracked)+ resources: likely a deploy or a change in version checks — compare with recent releases."
            }
        }
        let escalation = s.escalations.last.map {
            " Escalated \(s.escalations.count == 1 ? "once" : "\(s.escalations.count) times"), last at \(CivilTime.rfc3339($0.time)) to \($0.count) per \(bucket) s (level \(Int($0.expected)))."
        } ?? ""
        // Samples that show the alert's own story first: its client's, or its resource's.
        let focus: (Alert.Sample) -> Bool = { $0.client == client || $0.path == resource }
        let samples = s.samples.filter(focus) + s.samples.filter { !focus($0) }
        return Alert(
            id: s.id, kind: .burst, class: d.classes, severity: severity(peak: s.peakCount, score: s.maxScore), route: route,
            resource: resource, client: client, statuses: s.statuses, start: CivilTime.rfc3339(s.start),
            end: s.closedAt.map(CivilTime.rfc3339), peakCount: s.peakCount,
            expected: (s.expectedAtPeak * 1000).rounded() / 1000, score: (s.maxScore * 10).rounded() / 10,
            probability: nil,
            topClients: s.clients.top(5).map { .init(client: $0.label, count: $0.count) },
            topResources: s.resources.top(5).map { .init(resource: $0.label, count: $0.count) },
            samples: Array(samples.prefix(5)), reason: (d.multiRoute ? "Several routes at once. " : "") + reason + escalation,
            escalations: s.escalations.map { .init(time: CivilTime.rfc3339($0.time), count: $0.count, expected: $0.expected) })
    }

    static func hotspotSeverity(probability: Double, expected: Double, writers: Int) -> Alert.Severity {
        if expected >= 5 && writers >= 4 { return .critical }
        if probability >= 0.9 { return .high }
        if probability >= 0.7 { return .medium }
        return .low
    }

    static func hotspot(_ g: HotspotGroupState, routeName: (Int) -> String, p: ModelParameters) -> Alert {
        let route = routeName(g.routeIndex)
        // Newest-rising first.
        let members = g.members.sorted { ($0.since, $0.resource) > ($1.since, $1.resource) }
        let lead = members.first
        let others = members.count - 1
        var reason = ""
        if let m = lead {
            let window = m.editWindowMs.map { "a \(Int($0.rounded())) ms read→write window" }
                ?? "an edit window not measured (no reads before writes seen; \(Int(p.defaultEditWindowMs)) ms assumed)"
            reason = "\(m.resource) became a hot spot: written by \(m.peakWriters)\(m.peakWriters >= ResourceTable.writerSlots ? "+" : "") clients at \(String(format1: m.rate * 60)) writes/min with \(window), \(String(format1: m.peakExpected)) conflicts expected in the next \(Int(p.horizonSeconds)) s, well above its usual level"
            reason += others > 0 ? "; \(others) more resource\(others == 1 ? "" : "s") of \(route) rose with it." : "."
            reason += " Serialize writes to it or shorten the gap between read and write."
        }
        return Alert(
            id: g.id, kind: .hotspot, class: ["hot_resource"],
            severity: hotspotSeverity(probability: g.peakProbability, expected: g.peakExpected, writers: g.peakWriters),
            route: route, resource: lead?.resource, client: nil, statuses: g.statuses, start: CivilTime.rfc3339(g.start),
            end: g.end.map(CivilTime.rfc3339), peakCount: g.conflicts,
            expected: (g.peakExpected * 1000).rounded() / 1000, score: (g.peakExpected * 10).rounded() / 10,
            probability: (g.peakProbability * 1000).rounded() / 1000,
            topClients: g.writers.top(5).map { .init(client: $0.label, count: $0.count) },
            topResources: members.prefix(10).map { .init(resource: $0.resource, count: $0.conflicts, since: CivilTime.rfc3339($0.since)) },
            samples: g.samples, reason: reason)
    }

    static func percent(_ v: Double) -> String {
        let pct = v * 100
        return pct >= 10 ? "\(Int(pct.rounded()))%" : "\(String(format1: pct))%"
    }
}

extension String {
    /// One decimal, without Foundation.
    init(format1 v: Double) {
        let r = (v * 10).rounded() / 10
        self = r == r.rounded() ? "\(Int(r))" : "\(r)"
    }
}
