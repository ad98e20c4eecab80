import ConflictWatchCore
import ConflictWatchStore

/// Turns the analyzer's running per-route counters into per-minute deltas for the store.
/// Counters are compared per raw route index (stable for the analyzer's life); each delta is
/// filed under the route's reported name at the moment of the cut, so routes renamed by
/// learning keep their history under the old name and count on under the new one. The daemon
/// cuts at each flush; `analyze --state-dir` once at the end.
public struct RollupTracker {
    private struct Seen {
        var requests: UInt64 = 0
        var writes: UInt64 = 0
        var conflicts: UInt64 = 0
        var statuses: [Int: UInt64] = [:]
    }

    private var seen: [Seen] = []
    /// Reported name of each raw route index at the last cut, to notice renames.
    private var lastNames: [String] = []
    /// Reported names by raw index, the indices under each name, and the analyzer's
    /// `routeNamesVersion` they were built at.
    private var names: [String] = []
    private var indicesByName: [String: [Int]] = [:]
    private var namesVersion = (routes: -1, generation: -1)
    /// Renames noticed since the last flush (old name → new), for the store's alias table.
    public private(set) var aliases: [String: String] = [:]
    /// The traffic minute being accumulated (minutes since the epoch), nil before any traffic.
    public private(set) var minute: Int64?

    public init() {}

    static let microsPerMinute: Int64 = 60 * 1_000_000

    static func minute(of micros: Int64) -> Int64 {
        micros >= 0 ? micros / microsPerMinute : (micros - microsPerMinute + 1) / microsPerMinute
    }

    /// Called before an exchange is recorded: a later minute first cuts the current one.
    /// Lines a little out of order (an earlier minute) count in the current minute.
    @inline(__always)
    public mutating func willRecord(time: Int64, analyzer: inout TrafficAnalyzer, into out: inout [RouteRollup]) {
        let m = Self.minute(of: time)
        if let current = minute {
            if m <= current { return }
            out += cut(current, analyzer: &analyzer)
        }
        minute = m
    }

    /// The deltas since the last cut, filed under `minute`. Names are rebuilt only when they
    /// may have changed, and running values only for the routes that saw traffic.
    public mutating func cut(_ minute: Int64, analyzer: inout TrafficAnalyzer) -> [RouteRollup] {
        let count = analyzer.routes.count
        if seen.count < count { seen += Array(repeating: Seen(), count: count - seen.count) }
        if analyzer.routeNamesVersion != namesVersion {
            names = analyzer.reportedRouteNamesByIndex()
            namesVersion = analyzer.routeNamesVersion
            indicesByName = [:]
            for (i, n) in names.enumerated() { indicesByName[n, default: []].append(i) }
            for (i, old) in lastNames.enumerated() where old != names[i] { aliases[old] = names[i] }
            lastNames = names
        }
        var byName: [String: RouteRollup] = [:]
        var running: [String: RouteRow] = [:]
        for i in 0..<count {
            let s = analyzer.routes.stats[i]
            guard s.requests != seen[i].requests else { continue }
            let name = names[i]
            if running[name] == nil { running[name] = analyzer.routeRow(named: name, indices: indicesByName[name] ?? [i]) }
            let r = running[name]!
            var statuses: [String: Int64] = [:]
            var now: [Int: UInt64] = [:]
            for (status, c) in s.statuses {
                now[status] = c
                let d = Int64(c) - Int64(seen[i].statuses[status] ?? 0)
                if d != 0 { statuses[String(status), default: 0] += d }
            }
            let delta = RouteRollup(
                minute: minute, route: name,
                requests: Int64(s.requests) - Int64(seen[i].requests),
                writes: Int64(s.writes) - Int64(seen[i].writes),
                conflicts: Int64(s.conflicts) - Int64(seen[i].conflicts),
                statuses: statuses, writers: r.writers, resources: r.resources,
                p50Ms: r.p50Ms, p99Ms: r.p99Ms)
            if byName[name] == nil { byName[name] = delta } else { byName[name]!.add(delta) }
            seen[i] = Seen(requests: s.requests, writes: s.writes, conflicts: s.conflicts, statuses: now)
        }
        return byName.keys.sorted().map { byName[$0]! }
    }

    /// Hands the renames over to a flush.
    public mutating func takeAliases() -> [String: String] {
        defer { aliases.removeAll() }
        return aliases
    }
}
