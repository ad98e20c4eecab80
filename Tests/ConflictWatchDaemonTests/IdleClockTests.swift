import ConflictWatchCore
import ConflictWatchStore
import Foundation
import Logging
import Testing
@testable import ConflictWatchDaemon

/// SPEC §8: a quiet source moves the model's traffic clock on with the wall clock, so alerts
/// close and hot spots cool down on an idle server — and a fleet agent's clock, which holds the
/// fleet's watermark, moves on with it (SPEC §7). (The clock running from what a commit accounted:
/// `TwoThreadPipelineTests.theIdleClockRunsFromWhatACommitAccounted`.)
@Suite struct IdleClockTests {
    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// One minute of writes, one line a second, ending at `end`.
    static func traffic(end: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return (0..<60).map { s in
            let t = f.string(from: Date(timeIntervalSince1970: Double(end / 1_000_000 - 59 + Int64(s))))
            return "10.0.0.\(s % 9 + 1) - - [\(t)] \"PUT /api/orders/\(s % 13) HTTP/1.1\" \(s % 7 == 0 ? 409 : 200) 1 \"-\" \"x\"\n"
        }.joined()
    }

    func withDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-idle-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try body(dir)
    }

    func settings(_ dir: String, fleet: Bool = false) throws -> DaemonSettings {
        var s = DaemonSettings(sources: [.init(pattern: dir + "/access.log", format: .combined)], parameters: ModelParameters(), stateDirectory: dir)
        s.threads = 1
        s.fromStart = true
        if fleet { s.fleet = try FleetSettings(urlText: "postgres://agent@127.0.0.1:9/fleet", agent: "web0", timeoutSeconds: nil) }
        return s
    }

    /// A daemon restarted on a source that stays quiet: its restored clock goes on from the
    /// restart. It stood still, so the alerts it had open never closed.
    @Test func aRestoredClockMovesOnWhenTheSourceStaysQuiet() throws {
        let end: Int64 = 1_795_514_459_000_000
        try withDirectory { dir in
            try Data(Self.traffic(end: end).utf8).write(to: URL(fileURLWithPath: dir + "/access.log"))
            do {
                let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
                let first = IngestPipeline(settings: try settings(dir), store: store, logger: logger)
                try first.start(now: 0)
                while first.step(now: 0.001) > 0 {}
                try first.flush(now: 0.002)
                #expect(first.modelClock == end)
            }
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let restarted = IngestPipeline(settings: try settings(dir), store: store, logger: logger)
            try restarted.start(now: 100)
            #expect(restarted.modelClock == end, "restored")
            #expect(restarted.step(now: 135) == 0)
            #expect(restarted.modelClock >= end + 30_000_000, "\(restarted.modelClock - end) µs on after 35 quiet seconds")
        }
    }

    /// A fleet agent that has had no traffic stamps its summaries with no clock (Int64.min),
    /// which holds no one up; it stamped them 0 (1970), and the fleet's watermark stayed there.
    @Test func anAgentWithoutTrafficHoldsNoOneUp() throws {
        try withDirectory { dir in
            _ = FileManager.default.createFile(atPath: dir + "/access.log", contents: nil)
            let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let agent = IngestPipeline(settings: try settings(dir, fleet: true), store: store, logger: logger)
            try agent.start(now: 0)
            #expect(agent.step(now: 1) == 0)
            try agent.flush(now: 2)
            let rows = try store.fleetOutbox(limit: 10)
            #expect(rows.count == 1 && rows.allSatisfy { $0.summary.clock == .min && $0.summary.count == 0 }, "\(rows.map(\.summary.clock))")
        }
    }
}
