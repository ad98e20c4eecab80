/// Which routes get a `route` label of their own on `/metrics` (SPEC §9: per-route series for a
/// bounded number of routes). At most `capacity` routes, chosen by conflicts then writes; every
/// other route is summed under `route="other"`, so the series count stays `capacity + 1` whatever
/// the traffic.
///
/// Membership is sticky for the life of the daemon: a route that got a label keeps it even if
/// others overtake it. Re-ranking at each scrape would move a route's count in and out of
/// `other`, and a counter that goes down reads as a reset to Prometheus (a false spike in
/// `rate()`); with sticky labels every series only grows.
public struct RouteLabelSet: Sendable {
    public static let defaultCapacity = 20
    public static let otherLabel = "other"

    public let capacity: Int
    public private(set) var labelled: Set<String> = []

    public init(capacity: Int = Self.defaultCapacity) {
        self.capacity = capacity
    }

    /// The labelled routes' totals (by route name) and one `other` row with the rest. Routes
    /// without writes or conflicts never take a label.
    public mutating func bounded(_ totals: [(route: String, writes: UInt64, conflicts: UInt64)]) -> [LiveStatus.RouteTotals] {
        if labelled.count < capacity {
            let candidates = totals
                .filter { !labelled.contains($0.route) && ($0.writes > 0 || $0.conflicts > 0) }
                .sorted { ($0.conflicts, $0.writes, $1.route) > ($1.conflicts, $1.writes, $0.route) }
            for c in candidates.prefix(capacity - labelled.count) { labelled.insert(c.route) }
        }
        var rows: [LiveStatus.RouteTotals] = []
        var other = LiveStatus.RouteTotals(route: Self.otherLabel, writes: 0, conflicts: 0)
        for t in totals {
            if labelled.contains(t.route) {
                rows.append(LiveStatus.RouteTotals(route: t.route, writes: t.writes, conflicts: t.conflicts))
            } else {
                other.writes &+= t.writes
                other.conflicts &+= t.conflicts
            }
        }
        rows.sort { $0.route < $1.route }
        rows.append(other)
        return rows
    }
}
