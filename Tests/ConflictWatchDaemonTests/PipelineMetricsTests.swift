import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import ConflictWatchTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import ConflictWatchDaemon

/// The labelled `/metrics` series as the daemon fills them (SPEC §9): known traffic through the
/// live pipeline, then a scrape of the query server over the same status.
@Suite struct PipelineMetricsTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-metrics-\(UUID().uuidString.prefix(8))").path
    var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    func scrape(_ status: LiveStatus, store: ConflictStore) async throws -> [String: Double] {
        let app = buildQueryApplication(configuration: try QueryServerConfiguration(host: "127.0.0.1", port: 0),
                                        store: store, status: status, logger: logger)
        let text = try await app.test(.router) { client in
            String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
        }
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let space = try #require(line.lastIndex(of: " "))
            samples[String(line[..<space])] = Double(line[line.index(after: space)...])
        }
        return samples
    }

    @Test func trafficShowsByStatusRouteAndAlertKind() async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = dir + "/access.log"
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        // Ten quiet minutes, a 40-s storm of 409s on one order, three quiet minutes.
        let traffic = OrderTraffic.combined(start: t0, seconds: 600) + OrderTraffic.combined(start: t0.addingTimeInterval(600), seconds: 40, storm: true)
            + OrderTraffic.combined(start: t0.addingTimeInterval(640), seconds: 180)
        try Data(traffic.utf8).write(to: URL(fileURLWithPath: log))
        // What the log holds, counted from its text.
        let lines = traffic.split(separator: "\n")
        let conflicts = UInt64(lines.filter { $0.contains("\" 409 ") }.count)
        let oks = UInt64(lines.filter { $0.contains("\" 200 ") }.count)
        #expect(conflicts + oks == UInt64(lines.count) && conflicts > 200)

        var settings = DaemonSettings(sources: [.init(pattern: log, format: .combined)], parameters: ModelParameters(), stateDirectory: dir)
        settings.threads = 1
        settings.fromStart = true
        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let status = LiveStatus()
        let pipeline = IngestPipeline(settings: settings, store: store, logger: logger, status: StatusPublisher(status))
        try pipeline.start(now: 0)
        var now = 0.0
        while pipeline.step(now: now) > 0 {
            now += 0.001
            try pipeline.flushIfDue(now: now)
        }
        try pipeline.flush(now: now + 1)

        let s = status.snapshot
        #expect(s.statuses == [200: oks, 409: conflicts])
        #expect(s.routes == [LiveStatus.RouteTotals(route: "/api/orders/{id}", writes: oks + conflicts, conflicts: conflicts),
                             LiveStatus.RouteTotals(route: "other", writes: 0, conflicts: 0)])
        // The storm opened at least one burst; what is open agrees with the store.
        var openFilter = AlertFilter()
        openFilter.openOnly = true
        let stored = try store.alerts(AlertFilter())
        let storedOpen = try store.alerts(openFilter)
        #expect(s.alertsOpened.values.reduce(0, +) == UInt64(stored.count), "\(s.alertsOpened) vs \(stored.map { ($0.kind, $0.severity) })")
        #expect(s.alertsOpened.keys.contains { $0.kind == .burst })
        #expect(s.openAlerts == storedOpen.count && s.openAlertsByLabel.values.reduce(0, +) == s.openAlerts)

        let m = try await scrape(status, store: store)
        #expect(m[#"conflictwatch_responses_total{status="409"}"#] == Double(conflicts))
        #expect(m[#"conflictwatch_responses_total{status="200"}"#] == Double(oks))
        #expect(m[#"conflictwatch_route_conflicts_total{route="/api/orders/{id}"}"#] == Double(conflicts))
        #expect(m[#"conflictwatch_route_writes_total{route="/api/orders/{id}"}"#] == Double(oks + conflicts))
        #expect(m[#"conflictwatch_route_conflicts_total{route="other"}"#] == 0)
        var opened: [String: Double] = [:]
        for a in stored { opened["conflictwatch_alerts_opened_total{kind=\"\(a.kind.rawValue)\",severity=\"\(a.severity.rawValue)\"}", default: 0] += 1 }
        for (key, n) in opened { #expect(m[key] == n, "\(key)") }
        #expect(m.filter { $0.key.hasPrefix("conflictwatch_open_alerts{") }.values.reduce(0, +) == Double(storedOpen.count))
        #expect(m["conflictwatch_packets_total"] == 0, "no capture source")
    }

    /// The capture's packet counter: a pcap fixture read by the capture pipeline, its report
    /// summed as the daemon sums its interfaces', then scraped.
    @Test func packetCounterFromACapture() async throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pcap/api-keepalive.pcap").path
        // The packets in the file, counted by libpcap alone.
        var inFile: UInt64 = 0
        let counting = try PcapHandle.open(path: fixture)
        reading: while true {
            switch counting.next() {
            case .packet: inFile += 1
            case .timeout: continue
            case .end, .failure: break reading
            }
        }
        #expect(inFile > 10)

        let result = OfflineCaptureReader().run(try PcapHandle.open(path: fixture)) { _, _ in }
        var live = result.report
        live.kernelDrops = 3
        live.interfaceDrops = 1
        let counts = CapturePacketCounts([live, CaptureReport()])
        #expect(counts == CapturePacketCounts([]).with(packets: inFile, kernel: 3, interface: 1))
        let status = LiveStatus()
        status.update { StatusPublisher.write(counts, into: &$0) }

        let store = try ConflictStore(directory: dir, mode: .writer, logger: logger)
        let m = try await scrape(status, store: store)
        #expect(m["conflictwatch_packets_total"] == Double(inFile))
        #expect(m[#"conflictwatch_packets_dropped_total{reason="kernel"}"#] == 3)
        #expect(m[#"conflictwatch_packets_dropped_total{reason="interface"}"#] == 1)
        #expect(m["conflictwatch_drops_total"] == 4)
    }
}

extension CapturePacketCounts {
    func with(packets: UInt64, kernel: UInt64, interface: UInt64) -> CapturePacketCounts {
        var c = self
        c.packets = packets
        c.kernelDrops = kernel
        c.interfaceDrops = interface
        return c
    }
}
