import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore

/// Why a `--since` window came back empty (or held only alerts left open): the store's traffic
/// is older than the window. Query windows are in traffic time, so a replayed or analysed log a
/// year old answers `--since 1h` with nothing; one line on stderr says where the traffic is and
/// which `--since` would reach it, instead of leaving an empty table to be puzzled over.
enum WindowHint {
    /// Start of the newest stored traffic minute (microseconds), or nil when the store holds none.
    static func newestMinute(_ source: QuerySourceOptions) async -> Int64? {
        if let api = source.client {
            // The series answers for the last hours of stored traffic: its end is one minute
            // past the store's newest.
            let series = try? await api.get(ConflictSeries.self, path: SeriesQuery.path, parameters: [("top", "1")])
            return series?.end.flatMap { QueryTime.micros($0) }.map { $0 - minute }
        }
        guard let store = try? source.store.openForReading(), let newest = try? store.newestMinute() else { return nil }
        return newest * minute
    }

    static let minute: Int64 = 60_000_000

    /// The hint, or nil when `since` does not lie after the store's newest traffic minute.
    /// `what` names the rows ("routes", "alerts"); `listed` says whether some were listed anyway.
    static func message(what: String, since: String?, newestMinute: Int64?, listed: Bool,
                        now: Int64 = QueryTime.nowMicros()) -> String? {
        guard let since, let newestMinute, let from = QueryTime.micros(since, now: now), from >= newestMinute + minute else { return nil }
        // The same span back from the traffic's newest minute; an hour when --since was a time.
        let isSpan = !since.contains("T") && !since.contains("-")
        let span = isSpan ? now - from : 3_600_000_000
        let suggestion = TableTime.utc(CivilTime.rfc3339(newestMinute - span))
        let newest = TableTime.utc(CivilTime.rfc3339(newestMinute))
        let window = TableTime.utc(CivilTime.rfc3339(from))
        if listed {
            return "conflictwatch: the store's newest traffic is of the minute \(newest), before --since \(window): "
                + "the \(what) listed were still open then; try --since \(suggestion)"
        }
        return "conflictwatch: no \(what) since \(window); the store's newest traffic is of the minute \(newest) — try --since \(suggestion)"
    }

    /// Prints the hint for a query's result on stderr, when it applies.
    static func report(what: String, since: String?, listed: Bool, source: QuerySourceOptions) async {
        guard let since, QueryTime.micros(since) != nil else { return }
        if let line = message(what: what, since: since, newestMinute: await newestMinute(source), listed: listed) {
            Terminal.printError(line)
        }
    }
}
