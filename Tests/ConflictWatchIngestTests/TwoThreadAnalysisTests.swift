import ConflictWatchCore
import ConflictWatchLab
import Foundation
import Testing
@testable import ConflictWatchIngest

/// The two-thread analysis (reading and routing on one thread, accounting and the model on the
/// other) must give exactly what one thread gives: the same report, and the same analyzer state
/// before every exchange as `--state-dir`'s rollups see it (routes, what the normalizer learned).
@Suite struct TwoThreadAnalysisTests {
    static func temp(_ name: String) -> String {
        NSTemporaryDirectory() + "cw-two-threads-\(getpid())-\(name)"
    }

    /// What the observe hook sees before each exchange: the analyzer's counts and its route
    /// names, taken whenever they may have changed.
    struct Trace: Equatable {
        var steps: [String] = []
        var lastVersion: (Int, Int) = (-1, -1)

        mutating func see(_ x: ExchangeView, _ analyzer: inout TrafficAnalyzer) {
            let v = (analyzer.routeNamesVersion.routes, analyzer.routeNamesVersion.generation)
            if v != lastVersion {
                lastVersion = v
                steps.append("\(analyzer.exchanges) \(x.time) \(v) \(analyzer.reportedRouteNamesByIndex().joined(separator: ","))")
            }
        }

        static func == (a: Trace, b: Trace) -> Bool { a.steps == b.steps }
    }

    /// Realistic traffic (an hour of the demo's API with its hot order) in one file; in a second,
    /// paths the normalizer learns from only after many values (`/users/{name}/...`), more
    /// distinct routes than the table holds (`{other}`: 400 zone/rack pairs, each position with
    /// too few values to be learned), blank and malformed lines, a line over
    /// the length limit — and the demo's traffic once more, so learning happens mid-stream.
    static func inputs(_ tag: String) throws -> [String] {
        let traffic = SampleTraffic(seed: 7, seconds: 3_600).combinedLines()
        var second: [String] = []
        var n = 0
        for line in traffic.prefix(40_000) {
            n += 1
            second.append(line)
            if n % 7 == 0 {
                second.append(#"10.1.0.\#(n % 50) - - [24/Nov/2025:16:00:00 +0000] "PUT /users/user\#(n % 400)/profile HTTP/1.1" \#(n % 11 == 0 ? 412 : 200) 10 "-" "t""#)
            }
            if n % 13 == 0 {
                second.append(#"10.2.0.\#(n % 30) - - [24/Nov/2025:16:00:00 +0000] "GET /zone\#(n % 20)/rack\#((n / 20) % 20) HTTP/1.1" 200 10 "-" "t""#)
            }
            if n % 997 == 0 { second.append("   ") }
            if n % 1_009 == 0 { second.append("not a log line") }
            if n == 20_000 { second.append(String(repeating: "x", count: 5_000)) }
        }
        let paths = [temp("\(tag)-a.log"), temp("\(tag)-b.log")]
        try (traffic.joined(separator: "\n") + "\n").write(toFile: paths[0], atomically: true, encoding: .utf8)
        try (second.joined(separator: "\n") + "\n").write(toFile: paths[1], atomically: true, encoding: .utf8)
        return paths
    }

    static func analyze(
        _ paths: [String], threads: Int, routing: RoutingPlacement.Policy = .measured
    ) -> (report: AnalysisReport, trace: Trace, progress: [UInt64]) {
        var parameters = ModelParameters()
        parameters.routes.maxRoutes = 200
        parameters.routes.varThreshold = 32
        var analysis = OfflineAnalysis(format: .combined, parameters: parameters, maxLineLength: 4_096)
        analysis.threads = threads
        analysis.routingPlacement = routing
        var trace = Trace()
        var lines: [UInt64] = []
        var report = analysis.run(
            paths: paths, progress: { _, _, l in lines.append(l) }, observe: { x, analyzer in trace.see(x, &analyzer) })
        report.summary.seconds = 0
        report.summary.linesPerSecond = 0
        return (report, trace, lines)
    }

    /// The same report (equal and encoded alike) and the same analyzer states. Compared into a
    /// Bool first: on a failure the message shows where, not two whole reports.
    static func expectSame(
        _ two: (report: AnalysisReport, trace: Trace, progress: [UInt64]),
        as one: (report: AnalysisReport, trace: Trace, progress: [UInt64])
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let sameReport = try two.report == one.report && encoder.encode(two.report) == encoder.encode(one.report)
        #expect(sameReport, "routes \(two.report.routes == one.report.routes), alerts \(two.report.alerts == one.report.alerts), hot spots \(two.report.hotspots == one.report.hotspots), summary \(two.report.summary == one.report.summary)")
        let sameTrace = two.trace == one.trace
        let firstDifference = zip(one.trace.steps, two.trace.steps).first { $0 != $1 }.map { "\($0.prefix(200)) | \($1.prefix(200))" }
        #expect(sameTrace, "\(one.trace.steps.count) vs \(two.trace.steps.count) states; first difference: \(firstDifference ?? "-")")
    }

    @Test("two threads give the one-thread report and analyzer states, byte for byte")
    func sameAsOneThread() throws {
        let paths = try Self.inputs("same")
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        let one = Self.analyze(paths, threads: 1)
        let two = Self.analyze(paths, threads: 2)
        // The input is what it is meant to be: alerts, learning, an overflowing table, bad lines.
        #expect(one.report.summary.lines > 130_000)
        #expect(!one.report.alerts.isEmpty, "the traffic has incidents")
        #expect(one.report.routes.contains { $0.route == "/users/{var}/profile" }, "\(one.report.routes.map(\.route).prefix(20))")
        #expect(one.report.routes.contains { $0.route == "{other}" }, "more routes than max_routes: \(one.report.routes.count) \(one.report.routes.map(\.route).filter { !$0.hasPrefix("/zone") })")
        #expect(one.report.summary.malformed >= 40 && one.report.summary.blank >= 40)
        #expect(one.trace.steps.count > 200, "the route names changed along the way")

        try Self.expectSame(two, as: one)
        // Progress arrives in order and ends at every line.
        #expect(two.progress == two.progress.sorted())
        #expect(two.progress.last == UInt64(two.report.summary.lines))
    }

    @Test("routing moved to the accounting thread, from the first batch or mid-file: the one-thread report and states",
          arguments: [0, 37])
    func sameWithRoutingMoved(fromBatch: Int) throws {
        let paths = try Self.inputs("moved-\(fromBatch)")
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        let one = Self.analyze(paths, threads: 1)
        let two = Self.analyze(paths, threads: 2, routing: .accounting(fromBatch: fromBatch))
        try Self.expectSame(two, as: one)
        #expect(two.progress.last == UInt64(two.report.summary.lines))
    }

    @Test("a missing source in the middle: reported in its place, the others analyzed")
    func failingSource() throws {
        let paths = try Self.inputs("failing")
        defer { for p in paths { try? FileManager.default.removeItem(atPath: p) } }
        let withMissing = [paths[0], Self.temp("missing.log"), paths[1]]
        let one = Self.analyze(withMissing, threads: 1)
        let two = Self.analyze(withMissing, threads: 2)
        #expect(two.report.summary.sources.map(\.source) == withMissing)
        #expect(two.report.summary.sources[1].error != nil)
        let same = two.report == one.report
        #expect(same)
    }
}
