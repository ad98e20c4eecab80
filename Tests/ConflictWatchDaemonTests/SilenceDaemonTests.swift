import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import ConflictWatchTestSupport
import Foundation
import Logging
import Testing
@testable import ConflictWatchDaemon

/// Silences in the live pipeline (SPEC §6): a silenced alert is detected and stored, flagged,
/// owes no webhook and is not counted open; the daemon follows silences added or expired by
/// another process.
@Suite struct SilenceDaemonTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-silence-daemon-\(UUID().uuidString.prefix(8))").path
    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// The same order traffic on two routes, second by second: ten quiet minutes, then (with
    /// `storm`) 40 s of one client replaying a stale version on each route.
    static func twoRoutes(start: Date, seconds: Int, storm: Bool = false) -> String {
        let orders = OrderTraffic.combined(start: start, seconds: seconds, storm: storm)
        let carts = orders.replacingOccurrences(of: "/api/orders/", with: "/api/carts/")
        func bySecond(_ text: String) -> [[Substring]] {
            var groups: [[Substring]] = []
            var last: Substring = ""
            for line in text.split(separator: "\n") {
                let stamp = line.split(separator: "[", maxSplits: 1)[1].prefix(26)
                if stamp != last || groups.isEmpty { groups.append([]); last = stamp }
                groups[groups.count - 1].append(line)
            }
            return groups
        }
        return zip(bySecond(orders), bySecond(carts)).map { ($0 + $1).joined(separator: "\n") + "\n" }.joined()
    }

    final class Run {
        let store: ConflictStore
        let status = LiveStatus()
        let pipeline: IngestPipeline
        let log: String
        var now = 0.0

        init(dir: String, logger: Logger) throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            log = dir + "/access.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            var settings = DaemonSettings(sources: [.init(pattern: log, format: .combined)], parameters: ModelParameters(), stateDirectory: dir)
            settings.threads = 1
            settings.fromStart = true
            store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
            let outbox = WebhookOutbox(targets: [WebhookTarget(url: "http://127.0.0.1:9/hook")], status: status, logger: logger)
            pipeline = IngestPipeline(settings: settings, store: store, logger: logger, status: StatusPublisher(status), outbox: outbox)
            try pipeline.start(now: 0)
        }

        /// Appends `text` and runs the pipeline as the daemon's loop does until it is read and
        /// committed.
        func feed(_ text: String) throws {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try h.seekToEnd()
            try h.write(contentsOf: Data(text.utf8))
            try h.close()
            while pipeline.step(now: now) > 0 {
                now += 0.001
                try pipeline.flushIfDue(now: now)
            }
            idle(1.1)
            try pipeline.flush(now: now)
        }

        /// Lets the loop run `seconds` with nothing new (silences are read once a second).
        func idle(_ seconds: Double) {
            now += seconds
            try? pipeline.flushIfDue(now: now)
            now += 0.3
            try? pipeline.flushIfDue(now: now)
        }

        func open() throws -> [Alert] {
            var f = AlertFilter()
            f.openOnly = true
            return try store.alerts(f)
        }

        func owedAlertIDs() throws -> Set<String> {
            Set(try store.webhookDeliveries(state: .pending).map(\.alertID))
        }
    }

    @Test func silencedAlertsAreStoredFlaggedOweNoWebhookAndAreNotCountedOpen() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run(dir: dir, logger: logger)
        let silence = Silence.make(matchers: .init(route: "/api/orders/*"), seconds: 3600, comment: "known", author: "test",
                                   now: CivilTime.nowMicros())
        try run.store.addSilence(silence)
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        try run.feed(Self.twoRoutes(start: t0, seconds: 600) + Self.twoRoutes(start: t0.addingTimeInterval(600), seconds: 40, storm: true))

        let open = try run.open()
        let orders = open.filter { $0.route.hasPrefix("/api/orders/") }
        let carts = open.filter { $0.route.hasPrefix("/api/carts/") }
        #expect(!orders.isEmpty && !carts.isEmpty, "both storms detected: \(open.map(\.id))")
        #expect(orders.allSatisfy { $0.silenced }, "still detected and stored, flagged")
        #expect(carts.allSatisfy { !$0.silenced })
        #expect(try orders.allSatisfy { !(try run.store.events(alertID: $0.id)).isEmpty }, "its life is still recorded")
        let owed = try run.owedAlertIDs()
        #expect(owed == Set(carts.map(\.id)), "webhook rows only for the unsilenced alerts: \(owed)")
        #expect(run.status.snapshot.openAlerts == carts.count, "open_alerts leaves the silenced ones out")

        // Expired by another process: within a second the alerts count and notify again, each
        // with the `opened` event its receivers never had.
        _ = try ConflictStore(directory: dir, mode: .writer, logger: logger).expireSilence(id: silence.id)
        run.idle(1.1)
        let after = try run.open()
        #expect(after.allSatisfy { !$0.silenced }, "\(after.map(\.id))")
        let pending = try run.store.webhookDeliveries(state: .pending)
        for a in orders {
            #expect(pending.filter { $0.alertID == a.id }.map(\.eventID) == ["\(a.id)/0-opened"])
        }
        #expect(run.status.snapshot.openAlerts == after.count)
    }

    /// A silence added while an alert is open silences it at once (within a second); its later
    /// events (the close) owe no webhook.
    @Test func silenceAddedWhileOpenQuietsTheRestOfTheAlertsLife() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Run(dir: dir, logger: logger)
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)
        try run.feed(Self.twoRoutes(start: t0, seconds: 600) + Self.twoRoutes(start: t0.addingTimeInterval(600), seconds: 40, storm: true))
        let open = try run.open()
        #expect(!open.isEmpty && open.allSatisfy { !$0.silenced })
        let owedBefore = try run.store.webhookDeliveries(state: .pending).count
        #expect(owedBefore > 0)
        #expect(run.status.snapshot.openAlerts == open.count)

        let writer = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        try writer.addSilence(Silence.make(matchers: .init(route: "*"), seconds: 600, comment: "all", author: "test", now: CivilTime.nowMicros()))
        run.idle(1.1)
        #expect(try run.open().allSatisfy { $0.silenced })
        #expect(run.status.snapshot.openAlerts == 0)

        // Quiet traffic closes them; the closes are stored, and owed to no one.
        try run.feed(Self.twoRoutes(start: t0.addingTimeInterval(640), seconds: 180))
        #expect(try run.open().isEmpty)
        let closed = try run.store.alerts(AlertFilter()).filter { open.map(\.id).contains($0.id) }
        #expect(closed.allSatisfy { $0.silenced && $0.end != nil })
        #expect(try run.store.webhookDeliveries(state: .pending).count == owedBefore, "no rows for the silenced closes")
    }
}
