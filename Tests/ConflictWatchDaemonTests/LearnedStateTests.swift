import ConflictWatchCore
import Foundation
import Logging
import Synchronization
import Testing
@testable import ConflictWatchDaemon

/// A corrupt `model-state.json` is logged at warning with what was discarded and moved aside,
/// not dropped silently.
@Suite struct LearnedStateTests {
    final class Recorded: Sendable {
        let lines = Mutex<[(Logger.Level, String, Logger.Metadata)]>([])
    }

    struct RecordingHandler: LogHandler {
        let recorded: Recorded
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorded.lines.withLock { $0.append((event.level, event.message.description, event.metadata ?? [:])) }
        }
    }

    @Test(arguments: [
        #"{"baselines": {"/a": {"conflicts": 1, "wri"#,
        #"{"baselines": {"/a": {"conflicts": -3, "writes": 5, "writes_per_bucket": 1, "dispersion": 1, "calibration": 1}}}"#,
    ])
    func corruptFileIsLoggedAndMovedAside(content: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-learned-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = LearnedState(stateDirectory: dir)
        try Data(content.utf8).write(to: URL(fileURLWithPath: state.path))
        let recorded = Recorded()
        let logger = Logger(label: "test") { _ in RecordingHandler(recorded: recorded) }
        let (p, routes) = state.warmed(ModelParameters(), logger: logger)
        #expect(routes == 0 && p == ModelParameters())
        let warnings = recorded.lines.withLock { $0.filter { $0.0 == .warning } }
        let w = try #require(warnings.first, "no warning logged")
        #expect(w.1.contains("learned state not usable; discarded"))
        #expect(w.2["file"]?.description == state.path)
        #expect(w.2["bytes"]?.description == "\(content.utf8.count)")
        #expect(FileManager.default.fileExists(atPath: state.path + ".corrupt"))
        #expect(!FileManager.default.fileExists(atPath: state.path))
    }

    @Test func aGoodFileWarmsWithoutWarnings() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-learned-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = LearnedState(stateDirectory: dir)
        try state.save(ModelParameters(), baselines: ["/a": RouteBaseline(conflicts: 1, writes: 50, writesPerBucket: 2, dispersion: 1, editWindowMs: nil, calibration: 1)])
        let recorded = Recorded()
        let (_, routes) = state.warmed(ModelParameters(), logger: Logger(label: "test") { _ in RecordingHandler(recorded: recorded) })
        #expect(routes == 1)
        #expect(recorded.lines.withLock { $0.isEmpty })
    }
}
