import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import ConflictWatchTestSupport
import Foundation
import Logging
import Synchronization
import Testing
@testable import ConflictWatchDaemon

/// How often the daemon commits while lines keep coming (`DaemonSettings.flushInterval`). Every
/// commit writes the model's snapshot, a cost the same however few lines it covers, so commits
/// come no more often than the interval; and a line must be in the API within 1 s (SPEC §11),
/// so no less often either.
@Suite struct CommitCadenceTests {
    @Test func aSteadyTrickleIsCommittedEveryHalfSecond() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-cadence-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/access.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let recorded = LearnedStateTests.Recorded()
        let logger = Logger(label: "test") { _ in LearnedStateTests.RecordingHandler(recorded: recorded) }
        func commitCount() -> Int { recorded.lines.withLock { $0.filter { $0.1 == "store commit" }.count } }
        var times: [Double] = []

        var settings = DaemonSettings(sources: [.init(pattern: log, format: .combined)], parameters: ModelParameters(), stateDirectory: dir)
        settings.threads = 1
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let pipeline = IngestPipeline(settings: settings, store: store, logger: logger, status: StatusPublisher(LiveStatus()))
        try pipeline.start(now: 0)
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? file.close() }
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        // Four seconds of a few lines every 50 ms, the pipeline stepped after each append.
        for tick in 0..<80 {
            let now = Double(tick) * 0.05
            file.seekToEndOfFile()
            file.write(Data(OrderTraffic.combined(start: t0.addingTimeInterval(Double(tick)), seconds: 1, perSecond: 2).utf8))
            while pipeline.step(now: now) > 0 {}
            let before = commitCount()
            try pipeline.flushIfDue(now: now)
            if commitCount() > before { times.append(now) }
        }

        // Every 0.5 s from the start: at 0.5, 1.0, ..., 3.5 (the steps fall on the interval).
        #expect(times.count == 7, "\(times)")
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= 0.5 - 1e-9 }, "commits closer than the interval: \(times)")
        #expect(gaps.allSatisfy { $0 <= 0.5 + 0.05 + 1e-9 }, "a line waited longer than the interval: \(times)")
    }
}
