import ConflictWatchCore
import Foundation
import Testing
@testable import ConflictWatchIngest

/// pcap and pcapng inputs, recognised by content, read through libpcap: plain, gzip, cut short.
@Suite struct CaptureIngestTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pcap")

    static func run(_ path: String) -> (report: SourceReport, exchanges: [Exchange]) {
        var exchanges: [Exchange] = []
        let report = SourceIngestor(format: .auto).run(path: path) { x, flow in
            exchanges.append(Exchange(x, route: "", source: "\(flow)"))
        }
        return (report, exchanges)
    }

    @Test(arguments: ["api-keepalive.pcap", "api-keepalive.pcapng", "api-keepalive.pcap.gz"])
    func everyContainerGivesTheSameExchanges(name: String) {
        let (report, exchanges) = Self.run(Self.fixtures.appendingPathComponent(name).path)
        #expect(report.error == nil)
        #expect(report.lines == 201)
        #expect(report.exchanges == 63)
        #expect(exchanges.count == 63)
        #expect(report.capture?.packets == 201)
        #expect(report.capture?.linkType == "ethernet")
        #expect(report.format.hasPrefix(name.contains("pcapng") ? "pcapng" : "pcap"))
        #expect(exchanges.allSatisfy { $0.status != nil && $0.client.hasPrefix("10.1.") })
        #expect(exchanges.contains { $0.status == 409 || $0.status == 412 } || exchanges.contains { $0.method == "PUT" })
    }

    @Test func truncatedCaptureKeepsWhatCameBeforeTheCut() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("api-keepalive.pcap"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-pcap-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cut = dir.appendingPathComponent("cut.pcap")
        try data.prefix(data.count / 2 + 7).write(to: cut)
        let (report, exchanges) = Self.run(cut.path)
        #expect(report.error?.contains("truncated") == true)
        #expect(report.lines > 50 && report.lines < 201)
        #expect(exchanges.count > 10)

        let header = dir.appendingPathComponent("header-only.pcap")
        try data.prefix(10).write(to: header)
        #expect(Self.run(header.path).report.error != nil)
    }

    @Test func truncatedGzipIsReportedAsSuch() throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("api-keepalive.pcap.gz"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-pcapgz-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cut = dir.appendingPathComponent("cut.pcap.gz")
        try data.prefix(data.count * 2 / 3).write(to: cut)
        let (report, exchanges) = Self.run(cut.path)
        #expect(report.error?.contains("gzip") == true)
        #expect(!exchanges.isEmpty)
    }
}
