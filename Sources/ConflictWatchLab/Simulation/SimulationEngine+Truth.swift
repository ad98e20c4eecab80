import ConflictWatchCore

/// The truth records: what each event did, with the classes and client a detector should name.
extension SimulationEngine {
    /// The truth records of the events that happened (an event whose time fell after the end
    /// of the log is left out).
    func truth() -> [GroundTruth.Event] {
        var events: [GroundTruth.Event] = []
        let rfc = CivilTime.rfc3339
        for (i, e) in plan.enumerated() {
            let rt = runtime[i]
            let id = "e\(i + 1)"
            switch e {
            case .retryStorm(let s):
                guard rt.requests > 0 else { continue }
                let path = catalog.path(s.route, rt.resource)
                let among = s.route == .orders ? "" : "; meanwhile \(rt.otherConflicts) other conflicts from \(rt.otherClients.count) clients on the route"
                events.append(.init(
                    id: "\(id)-\(s.route == .orders ? "retry-storm" : "storm-among-conflicts")", kind: "burst", class: "single_client",
                    classes: ["single_client"], route: s.route.template, resource: path, client: s.client, start: rfc(rt.first), end: rfc(rt.last),
                    description: "\(s.client) replays a stale version of \(path) every ~\(Self.seconds(s.interval)) s "
                        + "without back-off for \(Self.minutes(rt.last - rt.first)) min: \(rt.conflicts) × \(s.route.staleStatus)\(among)"))
            case .duplicateCreate(let d):
                guard rt.requests > 0 else { continue }
                events.append(.init(
                    id: "\(id)-duplicate-create", kind: "burst", class: "single_client", classes: ["single_client", "duplicate_create"],
                    route: "/api/orders", resource: "/api/orders", client: d.client, start: rfc(rt.first), end: rfc(rt.last),
                    description: "\(d.client) repeats one POST /api/orders (same idempotency key) every ~\(Self.seconds(d.interval)) s "
                        + "for \(Self.minutes(rt.last - rt.first)) min: \(rt.conflicts) × 409"))
            case .deployRegression(let r):
                let from = start + micros(r.start)
                guard from < end else { continue }
                let until = r.until.map { min(end, start + micros($0)) } ?? end
                let what: String
                if r.route == .workflows {
                    let shift = (0..<WorkflowBoard.workersAtEnd).filter { WorkflowBoard.joinTime($0, duration: settings.durationSeconds) <= r.start }.count
                    what = "a release makes every transition of \(r.route.template) answer 409 for \(Self.seconds(Double(until - from) / 1e6)) s, "
                        + "on top of a slow trend (\(shift) workers on shift by then, from \(WorkflowBoard.workersAtStart))"
                } else {
                    what = "a deploy makes \(r.route.template) answer 409 to \(Int((r.fraction * 100).rounded()))% of writes"
                        + (r.until.map { _ in ", rolled back after \(Self.minutes(until - from)) min" } ?? ", not rolled back")
                }
                events.append(.init(
                    id: "\(id)-\(r.route == .workflows ? "workflow-regression" : "deploy-regression")", kind: "burst", class: "route_wide",
                    classes: ["route_wide", "ratio_driven"], route: r.route.template, resource: nil, client: nil,
                    start: rfc(from), end: rfc(until), description: what))
            case .flashSale(let f):
                guard rt.requests > 0 else { continue }
                let path = catalog.path(.stock, catalog.resource(.stock, rank: f.productRank))
                // The earliest bucket with the most conflicts on the product.
                let peak = rt.conflictsPerBucket.max { ($0.value, $1.key) < ($1.value, $0.key) }
                events.append(.init(
                    id: "\(id)-flash-sale", kind: "hotspot", class: "single_resource", classes: ["single_resource"],
                    route: SimulatedRoute.stock.template, resource: path, client: nil, start: rfc(rt.first), end: rfc(rt.last),
                    peak: peak.map { rfc($0.key * bucketMicros) }, onset: rt.firstConflict < .max ? rfc(rt.firstConflict) : nil,
                    description: "flash sale on \(path): buyers ramp to \(Self.seconds(f.peakRate))/s over \(Self.minutes(micros(f.rampUp))) min "
                        + "and back over \(Self.minutes(micros(f.rampDown))) min; \(rt.conflicts) × 412, peak \(peak?.value ?? 0) in one bucket"))
            case .bookingRush(let b):
                guard rt.requests > 0 else { continue }
                events.append(.init(
                    id: "\(id)-booking-rush", kind: "burst", class: "route_wide", classes: ["route_wide", "duplicate_create"],
                    route: "/api/bookings", resource: nil, client: nil, start: rfc(rt.first), end: rfc(rt.last),
                    description: "\(b.clients) clients fight over \(BookingCalendar.releasedPerRush) released slots for "
                        + "\(Self.seconds(Double(rt.last - rt.first) / 1e6)) s: \(rt.conflicts) × 409, on top of a slow trend "
                        + "(\(bookingRefusals(before: rt.first)) of the regular bookings refused in the 5 min before, \(bookingRefusals(before: start + 300_000_000)) in the first 5 min)"))
            }
        }
        return events
    }

    /// Routes where an alert is never right: documents (locked ones refuse single writers, the
    /// others rarely overlap) and notes (never checked).
    var quietRoutes: [String] { [SimulatedRoute.documents.template, SimulatedRoute.notes.template] }

    /// "k/n (p%)" of the regular booking POSTs in the 5 minutes before `t`.
    func bookingRefusals(before t: Int64) -> String {
        let window = bookings.filter { $0.time >= t - 300_000_000 && $0.time < t }
        let refused = window.filter(\.refused).count
        return "\(refused)/\(window.count) (\(window.isEmpty ? 0 : Int((Double(refused) / Double(window.count) * 100).rounded()))%)"
    }
}
