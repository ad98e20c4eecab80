import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchIngest
import Foundation
import UnixSignals

/// `capture` in the foreground (SPEC §4): packets from an interface or a capture file through
/// the HTTP reconstruction into the analysis `analyze` makes, or out as JSON lines as exchanges
/// complete. The command parses its flags and prints; the pipeline is composed here.
public struct CaptureRun: Sendable {
    public var parameters: ModelParameters
    public var configuration: CaptureConfiguration
    /// Stream every exchange as a JSON line (`--format jsonl`) instead of analysing (a file) or
    /// besides analysing (live, whose counters are printed either way).
    public var jsonl = false
    public var keepQuery = false
    /// Where the JSON lines go, some lines at a time, each call whole lines.
    public var write: @Sendable ([UInt8]) -> Void

    static let flushAt = 1 << 16

    public init(parameters: ModelParameters, configuration: CaptureConfiguration, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.parameters = parameters
        self.configuration = configuration
        self.write = write
    }

    /// What a capture gave: the source's counters and, unless only JSON lines were asked for
    /// from a file, the analysis.
    public struct Outcome: Sendable {
        public var source: SourceReport
        public var analysis: AnalysisReport?
    }

    /// `-r`: one capture file (pcap or pcapng, plain or gzip, `-` for stdin) at full speed. Nil
    /// when the file is no capture (an access log: `analyze` reads those).
    public func file(_ path: String) -> Outcome? {
        let ingestor = SourceIngestor(format: .auto, capture: configuration)
        var out: [UInt8] = []
        var analysis = AnalysisSession(parameters: parameters)
        var analyzer = TrafficAnalyzer(parameters: parameters)
        let source = ExchangeJSONLine.escapedSource(path == "-" ? "stdin" : path)
        let report = ingestor.run(path: path) { x, flow in
            if jsonl {
                let route = analyzer.route(of: x)
                ExchangeJSONLine.append(x, route: route, source: source, line: flow, keepQuery: keepQuery, to: &out)
                if out.count >= Self.flushAt { write(out); out.removeAll(keepingCapacity: true) }
            } else {
                analysis.analyzer.record(x)
            }
        }
        if !out.isEmpty { write(out) }
        if report.capture == nil && report.error == nil { return nil }
        analysis.add(report)
        return Outcome(source: report, analysis: jsonl ? nil : analysis.report())
    }

    /// Opens the interface (and drops to `user` once it is open): a missing CAP_NET_RAW, a bad
    /// interface or filter stops here with libpcap's message.
    public static func open(_ settings: LiveCaptureSettings, user: String?) throws(PcapError) -> PcapHandle {
        let handle = try PcapHandle.openLive(settings)
        if let user { try PrivilegeDrop.become(user: user) }
        return handle
    }

    /// `-i`: captures until SIGINT or SIGTERM (a second one ends the process at once, exit 130),
    /// then finishes every connection. libpcap and the reconstruction block, so they run on a
    /// thread of their own, not on the concurrency pool the signals are watched from. `tick`
    /// gets the counters every `statisticsMicros`, on the capture's thread.
    public func live(_ handle: PcapHandle, source name: String, statisticsMicros: Int64? = nil,
                     tick: @escaping @Sendable (CaptureReport) -> Void = { _ in }) async -> (outcome: Outcome, error: String?) {
        let capture = LiveCapture(handle: handle)
        if let statisticsMicros { capture.statisticsInterval = statisticsMicros }
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let watcher = Task {
            var count = 0
            for await _ in signals {
                count += 1
                if count == 1 { capture.stop() } else { exit(130) }
            }
        }
        defer { watcher.cancel() }
        let run = self
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: run.liveLoop(capture, source: name, tick: tick))
            }
            thread.name = "capture \(name)"
            thread.start()
        }
    }

    private func liveLoop(_ capture: LiveCapture, source name: String,
                          tick: (CaptureReport) -> Void) -> (outcome: Outcome, error: String?) {
        var analysis = AnalysisSession(parameters: parameters)
        var out: [UInt8] = []
        let source = ExchangeJSONLine.escapedSource(name)
        var exchanges: UInt64 = 0
        let result = capture.run(
            configuration: configuration,
            tick: tick,
            afterBatch: { if !out.isEmpty { write(out); out.removeAll(keepingCapacity: true) } }
        ) { x, flow in
            exchanges &+= 1
            analysis.analyzer.record(x)
            if jsonl {
                let route = analysis.analyzer.route(of: x)
                ExchangeJSONLine.append(x, route: route, source: source, line: flow, keepQuery: keepQuery, to: &out)
                if out.count >= Self.flushAt { write(out); out.removeAll(keepingCapacity: true) }
            }
        }
        if !out.isEmpty { write(out) }
        var report = SourceReport(source: name, format: "live")
        report.lines = result.report.packets
        report.exchanges = exchanges
        report.capture = result.report
        report.error = result.error
        analysis.add(report)
        return (Outcome(source: report, analysis: jsonl ? nil : analysis.report()), result.error)
    }
}
