import ArgumentParser
import ConflictWatchCapture
import ConflictWatchCore
import ConflictWatchDaemon
import ConflictWatchIngest
import ConflictWatchStore
import Foundation

struct CaptureCommand: AsyncParsableCommand {
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

    func run() async throws {
        if let readFile {
            try runFile(readFile)
        } else if isDaemon {
            try await runDaemon(interface!)
        } else {
            try await runLive(interface!)
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

    func runDaemon(_ iface: String) async throws {
        var settings = DaemonSettings(sources: [], parameters: try model.parameters(),
                                      stateDirectory: stateDir ?? StateDirectory.defaultPath())
        settings.interfaces = [liveSettings(iface)]
        try daemon.apply(to: &settings)
        try await DaemonLauncher.run(settings, logLevel: daemon.logLevel)
    }

    /// The pipeline of this command line; JSON lines go to stdout as they are made.
    func pipeline() throws -> CaptureRun {
        var run = CaptureRun(parameters: try model.parameters(), configuration: captureOptions.configuration(filter: filter)) { bytes in
            var out = OutputSink(fd: 1)
            out.buffer = bytes
            out.flush()
        }
        run.jsonl = format == .jsonl
        run.keepQuery = keepQuery
        return run
    }

    /// `-r`: `analyze` (or `parse` for jsonl) on one capture, with the capture options.
    func runFile(_ path: String) throws {
        guard let outcome = try pipeline().file(path) else {
            throw RuntimeFailure("\(path) is not a pcap or pcapng capture; for access logs use `conflictwatch analyze`")
        }
        if let analysis = outcome.analysis { try printReport(analysis) }
        if global.verbose, let c = outcome.source.capture { Terminal.printError(CaptureText.line(path, c)) }
        if let e = outcome.source.error {
            Terminal.printError("conflictwatch: \(e)")
            throw ExitCode.failure
        }
    }

    func runLive(_ iface: String) async throws {
        let handle: PcapHandle
        do {
            handle = try CaptureRun.open(liveSettings(iface), user: user)
        } catch {
            Terminal.printError("conflictwatch: \(error.description)")
            throw ExitCode.failure
        }
        if !global.quiet {
            Terminal.printError("conflictwatch: capturing on \(iface) (\(handle.linkType.name)\(filter.map { ", filter '\($0)'" } ?? "")); Ctrl-C to stop")
        }
        let verbose = global.verbose
        var run = try pipeline()
        run.configuration = captureOptions.configuration()
        let (outcome, error) = await run.live(handle, source: iface, statisticsMicros: verbose ? 5_000_000 : nil) { c in
            if verbose { Terminal.printError(CaptureText.line(iface, c)) }
        }
        if let analysis = outcome.analysis { try printReport(analysis) }
        let counters = outcome.source.capture ?? CaptureReport()
        if !global.quiet {
            Terminal.printError("conflictwatch: \(counters.packets) packets, \(outcome.source.exchanges) exchanges; dropped \(counters.kernelDrops ?? 0) packets in the kernel, \(counters.interfaceDrops ?? 0) at the interface")
        }
        if verbose { Terminal.printError(CaptureText.line(iface, counters)) }
        if let error {
            Terminal.printError("conflictwatch: capture on \(iface) failed: \(error)")
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
