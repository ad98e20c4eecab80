#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns open/closed alert state into the reported `Alert` (SPEC §6): classes, severity and a
/// one-sentence reason a person can act on.
enum AlertBuilder {
    static func burst(_ s: BurstAlertState, routeName: (Int) -> String, p: ModelParameters) -> Alert {
        let route = routeName(s.routeIndex)
        let topClients = s.clients.top(5)
        let topResources = s.resources.top(5)
        var classes: [String] = []
        let clientShare = s.clients.topShare, resourceShare = s.resources.topShare
        if clientShare >= p.singleShare {
            classes.append("single_client")
        } else if resourceShare >= p.singleShare {
            classes.append("single_resource")
        } else {
            classes.append("route_wide")
        }
        let multi = s.multiRoute || s.routesHit.count >= 2 && s.routesHit.values.sorted(by: >).dropFirst().first.map { Double($0) >= 0.2 * Double(s.conflicts) } == true
        if multi { classes.append("multi_route") }
        let writesPerBucket = Double(s.writes) / Double(max(s.anomalousBuckets, 1))
        let loadDriven = s.baselineWritesPerBucket > 0 && writesPerBucket >= p.loadFactor * s.baselineWritesPerBucket
        classes.append(loadDriven ? "load_driven" : "ratio_driven")

        let severity: Alert.Severity
        switch (s.peakCount, s.maxScore) {
        case let (n, sc) where n >= 100 && sc >= 20: severity = .critical
        case let (n, sc) where n >= 30 && sc >= 10: severity = .high
        case let (n, sc) where n >= 10 && sc >= 6: severity = .medium
        default: severity = .low
        }
        var client: String? = nil
        if case .client = s.scope { client = s.clientLabel } else if classes.first == "single_client" { client = topClients.first?.label }
        let bucket = Int(p.bucketSeconds)
        let expected = String(format1: s.expectedAtPeak)
        let reason: String
        switch classes.first {
        case "single_client":
            let who = client ?? "one client"
            reason = "Client \(who) caused \(Int((clientShare * 100).rounded()))% of \(s.conflicts) conflicts on \(route) (peak \(s.peakCount) per \(bucket) s, expected \(expected)): a retry storm or a client replaying a stale version or duplicate creates — check its retry back-off and how it sends If-Match / idempotency keys."
        case "single_resource":
            let what = topResources.first?.label ?? route
            reason = "\(what) took \(Int((resourceShare * 100).rounded()))% of \(s.conflicts) conflicts from \(s.clients.distinctTracked) clients (peak \(s.peakCount) per \(bucket) s, expected \(expected)): a stampede on one object — serialize or queue writes to it, or split it."
        default:
            if loadDriven {
                reason = "Writes to \(route) rose to \(Int(writesPerBucket)) per \(bucket) s (baseline \(Int(s.baselineWritesPerBucket))) and conflicts followed (peak \(s.peakCount), expected \(expected)) across \(s.clients.distinctTracked)+ clients: contention from load — find what drives the extra writes."
            } else {
                let ratioNow = s.writes > 0 ? Double(s.conflicts) / Double(s.writes) : 0
                reason = "\(route) started failing \(percent(ratioNow)) of writes with conflicts (baseline \(percent(s.baselineRatio))) across \(s.clients.distinctTracked)+ clients and \(s.resources.distinctTracked)+ resources without more traffic: likely a deploy or a change in version checks — compare with recent releases."
            }
        }
        // Samples that show the alert's own story first: its client's, or its resource's.
        let focusClient = client ?? (classes.first == "single_client" ? topClients.first?.label : nil)
        let focusResource = classes.first == "single_resource" ? topResources.first?.label : nil
        let samples = s.samples.filter { ($0.client == focusClient) || ($0.path == focusResource) }
            + s.samples.filter { !(($0.client == focusClient) || ($0.path == focusResource)) }
        return Alert(
            id: s.id, kind: .burst, class: classes, severity: severity, route: route,
            resource: classes.first == "single_resource" ? topResources.first?.label : nil,
            client: client, statuses: s.statuses, start: CivilTime.rfc3339(s.start),
            end: s.closedAt.map(CivilTime.rfc3339), peakCount: s.peakCount,
            expected: (s.expectedAtPeak * 1000).rounded() / 1000, score: (s.maxScore * 10).rounded() / 10,
            probability: nil,
            topClients: topClients.map { .init(client: $0.label, count: $0.count) },
            topResources: topResources.map { .init(resource: $0.label, count: $0.count) },
            samples: Array(samples.prefix(5)), reason: (multi ? "Several routes at once. " : "") + reason)
    }

    static func hotspot(_ h: HotspotAlertState, routeName: (Int) -> String, p: ModelParameters) -> Alert {
        let route = routeName(h.routeIndex)
        let severity: Alert.Severity = h.peakProbability >= 0.99 && h.peakWriters >= 4 ? .critical
            : h.peakProbability >= 0.9 ? .high : h.peakProbability >= 0.7 ? .medium : .low
        let expected = -log1pSafe(-h.peakProbability)
        let reason = "\(h.resource) is written by \(h.peakWriters)\(h.peakWriters >= ResourceTable.writerSlots ? "+" : "") clients at \(String(format1: h.rate * 60)) writes/min with a \(Int(h.editWindowMs.rounded())) ms read→write window: \(percent(h.peakProbability)) chance of a conflict in the next \(Int(p.horizonSeconds)) s — serialize writes to it or shorten the gap between read and write."
        return Alert(
            id: h.id, kind: .hotspot, class: ["hot_resource"], severity: severity, route: route, resource: h.resource,
            client: nil, statuses: h.statuses, start: CivilTime.rfc3339(h.start), end: h.end.map(CivilTime.rfc3339),
            peakCount: h.conflicts, expected: (expected * 1000).rounded() / 1000, score: (expected * 10).rounded() / 10,
            probability: (h.peakProbability * 1000).rounded() / 1000,
            topClients: h.writers.top(5).map { .init(client: $0.label, count: $0.count) },
            topResources: [.init(resource: h.resource, count: h.conflicts)],
            samples: h.samples, reason: reason)
    }

    static func percent(_ v: Double) -> String {
        let pct = v * 100
        return pct >= 10 ? "\(Int(pct.rounded()))%" : "\(String(format1: pct))%"
    }

    static func log1pSafe(_ x: Double) -> Double { x <= -1 ? -50 : log1p(x) }
}

extension String {
    /// One decimal, without Foundation.
    init(format1 v: Double) {
        let r = (v * 10).rounded() / 10
        self = r == r.rounded() ? "\(Int(r))" : "\(r)"
    }
}
