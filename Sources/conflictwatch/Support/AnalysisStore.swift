import ConflictWatchCore
import ConflictWatchStore
import Logging

/// `analyze --state-dir`: writes the finished report to the embedded store.
enum AnalysisStore {
    static func save(_ report: AnalysisReport, in directory: String) throws {
        let last = report.summary.lastTime.flatMap { t in
            Array(t.utf8).withUnsafeBytes { TimestampParser.parseISO8601($0) }
        } ?? TimeSpec.nowMicros()
        do {
            let store = try ConflictStore(directory: directory, mode: .writer, logger: Logger(label: "conflictwatch.store"))
            try store.record(report, lastTrafficMicros: last)
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}
