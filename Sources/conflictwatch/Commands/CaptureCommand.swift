import ArgumentParser
import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchDaemon
import ConflictWatchIngest
import ConflictWatchStore
import Foundation

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Reconstruct HTTP exchanges from packets: live from an interface, or from a capture file.",
        discussion: """
            Live capture (-i) needs CAP_NET_RAW (root, or `setcap cap_net_raw+ep` on the
            binary); --user drops to an unprivileged user once the interface is open. It
            runs until SIGINT/SIGTERM, then prints the analysis (or streams exchanges as
            they complete with --format jsonl) and the packets the kernel and the
            interface dropped. -r reads a pcap/pcapng file (also gzip, '-' for stdin) at
            full speed instead.

            HTTP/1.x on any port is recognised by content; TLS and HTTP/2 are counted and
            skipped (capture behind the TLS terminator, or tail its access log).

            Examples:
              sudo conflictwatch capture -i eth0 -f 'tcp port 80' --user nobody
              sudo conflictwatch capture -i lo --format jsonl | jq .status
              conflictwatch capture -r traffic.pcap --format json > report.json
              sudo conflictwatch capture -i eth0 -f 'tcp port 80' \\
                --state-dir /var/lib/conflictwatch --listen 127.0.0.1:9409

            With --state-dir, --listen or --webhook, live capture runs as the daemon
            `tail` is: the exchanges go through the same model into the store (query it
            with `alerts`, `routes`, `hotspots`), the API is served and webhooks are sent,
            until SIGINT/SIGTERM. The daemon uses the default flow bounds and prints no
            table: --max-flows, --idle-timeout, --max-pending, --client-header, --top,
            --format and --keep-query are for a foreground capture and refused with it.
            """
    )

    @Option(name: .customShort("i"), help: ArgumentHelp("Interface to capture on (`any` for all).", valueName: "iface"))
    var interface: String?

    @Option(name: .customShort("r"), help: ArgumentHelp("Read a capture file (pcap or pcapng, plain or gzip; '-' is stdin).", valueName: "file"))
    var readFile: String?

    @Option(name: .customShort("f"), help: ArgumentHelp("BPF filter in tcpdump syntax.", valueName: "bpf"))
    var filter: String?

    @Option(name: .long, help: ArgumentHelp("Bytes kept of each packet (live).", valueName: "bytes"))
    var snaplen: Int = 262_144

    @Option(name: .long, help: ArgumentHelp("Kernel capture buffer in MiB (live); bigger absorbs bursts.", valueName: "mib"))
    var bufferMb: Int = 64

    @Flag(name: .long, help: "Put the interface in promiscuous mode (live).")
    var promisc = false

    @Option(name: .long, help: ArgumentHelp("Become this user once the interface is open (live, as root).", valueName: "name"))
    var user: String?

    @Option(name: .long, help: "table (analysis at the end), json (SPEC §6 document at the end) or jsonl (every exchange as it completes).")
    var format: CaptureOutputFormat = .table

    @Flag(name: .long, help: "Keep query strings in jsonl output (dropped by default: they may carry secrets).")
    var keepQuery = false

    static let defaultTop = 20

    @Option(name: .long, help: "Routes shown in the table.")
    var top: Int = Self.defaultTop

    @Option(name: .long, help: ArgumentHelp("With -i: run as a daemon writing this store (like `tail`).", valueName: "dir"))
    var stateDir: String?

    @OptionGroup var daemon: DaemonOptions

    @OptionGroup var captureOptions: CaptureOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        switch (interface, readFile) {
        case (nil, nil): throw ValidationError("give an interface with -i IFACE, or a capture file with -r FILE")
        case (_?, _?): throw ValidationError("-i and -r exclude each other: capture live or read a file")
        default: break
        }
        let snap = LiveCaptureSettings.snapLengthRange, buffer = LiveCaptureSettings.bufferMBRange
        guard snap.contains(snaplen) else { throw ValidationError("--snaplen must be between \(snap.lowerBound) and \(snap.upperBound) bytes") }
        guard buffer.contains(bufferMb) else { throw ValidationError("--buffer-mb must be between \(buffer.lowerBound) and \(buffer.upperBound)") }
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
        if user != nil, readFile != nil { throw ValidationError("--user applies to live capture (-i) only") }
        if isDaemon {
            if readFile != nil { throw ValidationError("--state-dir, --listen and --webhook apply to live capture (-i); to store a capture file use `conflictwatch analyze FILE --state-dir DIR`") }
            if user != nil { throw ValidationError("--user is for the foreground analysis; a capturing daemon runs as its own user with CAP_NET_RAW (see deploy/conflictwatch.service)") }
            if format == .jsonl { throw ValidationError("--format jsonl streams exchanges without a store; leave out --state-dir/--listen/--webhook, or use `conflictwatch parse`") }
            // The daemon captures with the default flow bounds and prints nothing at the end:
            // refuse what it would silently ignore.
            if let ignored = daemonIgnoredFlag {
                throw ValidationError("\(ignored) applies to a foreground capture (without --state-dir, --listen and --webhook); the capturing daemon uses the default flow bounds and stores its results for `alerts`, `routes` and `hotspots`")
            }
        }
        if let filter {
            do { try PcapHandle.checkFilter(filter) } catch { throw ValidationError("-f: \(error.description)") }
        }
    }

    /// The first flag given that the capturing daemon would not use.
    var daemonIgnoredFlag: String? {
        if captureOptions.maxFlows != CaptureOptions.defaultMaxFlows { return "--max-flows" }
        if captureOptions.idleTimeout != CaptureOptions.defaultIdleTimeout { return "--idle-timeout" }
        if captureOptions.maxPending != CaptureOptions.defaultMaxPending { return "--max-pending" }
        if captureOptions.clientHeader != nil { return "--client-header" }
        if format != .table { return "--format" }
        if keepQuery { return "--keep-query" }
        if top != Self.defaultTop { return "--top" }
        return nil
    }

    /// Live capture into the store (the daemon), rather than an analysis printed at the end.
    var isDaemon: Bool { stateDir != nil || daemon.listen != nil || !daemon.webhook.isEmpty }

    func run() throws {
        if let readFile {
            try runFile(readFile)
        } else if isDaemon {
            try runDaemon(interface!)
        } else {
            try runLive(interface!)
        }
    }

    func liveSettings(_ iface: String) -> LiveCaptureSettings {
        var settings = LiveCaptureSettings(interface: iface)
        settings.filter = filter
        settings.snapLength = Int32(snaplen)
        settings.bufferMB = bufferMb
        settings.promiscuous = promisc
        return settings
    }

    func runDaemon(_ iface: String) throws {
        var settings = DaemonSettings(sources: [], parameters: try model.parameters(),
                                      stateDirectory: stateDir ?? StateDirectory.defaultPath())
        settings.interfaces = [liveSettings(iface)]
        try daemon.apply(to: &settings)
        try DaemonLauncher.run(settings, logLevel: daemon.logLevel)
    }

    /// `-r`: `analyze` (or `parse` for jsonl) on one capture, with the capture options.
    func runFile(_ path: String) throws {
        let ingestor = SourceIngestor(format: .auto, capture: captureOptions.configuration(filter: filter))
        var out = OutputSink(fd: 1)
        var analysis = CaptureAnalysis(parameters: try model.parameters())
        var analyzer = TrafficAnalyzer(parameters: try model.parameters())
        let source = ExchangeJSONLine.escapedSource(path == "-" ? "stdin" : path)
        let report = ingestor.run(path: path) { x, flow in
            if format == .jsonl {
                let route = analyzer.route(of: x)
                ExchangeJSONLine.append(x, route: route, source: source, line: flow, keepQuery: keepQuery, to: &out.buffer)
                out.flushIfFull()
            } else {
                analysis.analyzer.record(x)
            }
        }
        out.flush()
        if report.capture == nil && report.error == nil {
            throw RuntimeFailure("\(path) is not a pcap or pcapng capture; for access logs use `conflictwatch analyze`")
        }
        analysis.add(report)
        if format != .jsonl { try printReport(analysis.report()) }
        if global.verbose, let c = report.capture { Terminal.printError(CaptureText.line(path, c)) }
        if let e = report.error {
            Terminal.printError("conflictwatch: \(e)")
            throw ExitCode.failure
        }
    }

    func runLive(_ iface: String) throws {
        let settings = liveSettings(iface)
        let handle: PcapHandle
        do {
            handle = try PcapHandle.openLive(settings)
            if let user { try PrivilegeDrop.become(user: user) }
        } catch {
            Terminal.printError("conflictwatch: \(error.description)")
            throw ExitCode.failure
        }
        let capture = LiveCapture(handle: handle)
        if global.verbose { capture.statisticsInterval = 5_000_000 }
        let stopper = SignalStopper { capture.stop() }
        defer { withExtendedLifetime(stopper) {} }
        if !global.quiet {
            Terminal.printError("conflictwatch: capturing on \(iface) (\(handle.linkType.name)\(filter.map { ", filter '\($0)'" } ?? "")); Ctrl-C to stop")
        }

        var analysis = CaptureAnalysis(parameters: try model.parameters())
        var out = OutputSink(fd: 1)
        let source = ExchangeJSONLine.escapedSource(iface)
        var exchanges: UInt64 = 0
        let jsonl = format == .jsonl
        let keepQuery = keepQuery
        let verbose = global.verbose
        let result = capture.run(
            configuration: captureOptions.configuration(),
            tick: { c in if verbose { Terminal.printError(CaptureText.line(iface, c)) } },
            afterBatch: { if jsonl { out.flush() } }
        ) { x, flow in
            exchanges &+= 1
            analysis.analyzer.record(x)
            if jsonl {
                let route = analysis.analyzer.route(of: x)
                ExchangeJSONLine.append(x, route: route, source: source, line: flow, keepQuery: keepQuery, to: &out.buffer)
                out.flushIfFull()
            }
        }
        out.flush()
        var report = SourceReport(source: iface, format: "live")
        report.lines = result.report.packets
        report.exchanges = exchanges
        report.capture = result.report
        report.error = result.error
        analysis.add(report)
        if !jsonl { try printReport(analysis.report()) }
        if !global.quiet {
            Terminal.printError("conflictwatch: \(result.report.packets) packets, \(exchanges) exchanges; dropped \(result.report.kernelDrops ?? 0) packets in the kernel, \(result.report.interfaceDrops ?? 0) at the interface")
        }
        if verbose { Terminal.printError(CaptureText.line(iface, result.report)) }
        if let e = result.error {
            Terminal.printError("conflictwatch: capture on \(iface) failed: \(e)")
            throw ExitCode.failure
        }
    }

    func printReport(_ report: AnalysisReport) throws {
        var out = OutputSink(fd: 1)
        switch format {
        case .json: out.write(try ReportRenderer.json(report))
        case .table: out.write(ReportRenderer.table(report, top: top))
        case .jsonl: break
        }
        out.flush()
    }
}

enum CaptureOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, jsonl
}

/// SIGINT/SIGTERM end a live capture cleanly (the report is still printed) instead of killing
/// the process; a second signal ends it at once.
final class SignalStopper {
    private var sources: [DispatchSourceSignal] = []

    init(_ stop: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let fired = Fired()
            s.setEventHandler {
                if fired.once() { stop() } else { exit(130) }
            }
            s.resume()
            sources.append(s)
        }
    }

    deinit {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    private final class Fired: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func once() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            return count == 1
        }
    }
}
