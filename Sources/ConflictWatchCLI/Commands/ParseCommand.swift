import ArgumentParser
import ConflictWatchCore
import ConflictWatchIngest

struct ParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Print every reconstructed HTTP exchange as JSON lines.",
        discussion: """
            For checking a log format and comparing with other tools. Malformed lines are
            counted and sampled on stderr; the rest goes on.

            Examples:
              conflictwatch parse /var/log/nginx/access.log | head
              conflictwatch parse \\
                --log-format '$remote_addr [$time_local] "$request" $status' app.log
              zcat access.log.2.gz | conflictwatch parse --keep-query -
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var strictness: StrictOptions
    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Keep query strings (dropped by default: they may carry secrets).")
    var keepQuery = false

    @Argument(help: ArgumentHelp("Access logs (plain or .gz); '-' reads stdin.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one log file, or '-' for stdin") }
    }

    func run() throws {
        let parameters = try input.parameters()
        let ingestor = SourceIngestor(format: input.format, maxLineLength: input.maxLineLength)
        var analyzer = TrafficAnalyzer(parameters: parameters)
        var out = OutputSink(fd: 1)
        var malformed: UInt64 = 0
        var failed = false
        for path in files {
            let source = ExchangeJSONLine.escapedSource(path == "-" ? "stdin" : path)
            let report = ingestor.run(path: path) { x, line in
                let route = analyzer.route(of: x)
                ExchangeJSONLine.append(x, route: route, source: source, line: line, keepQuery: keepQuery, to: &out.buffer)
                out.flushIfFull()
            }
            out.flush()
            malformed += report.malformed
            if let error = report.error {
                failed = true
                Terminal.printError("conflictwatch: \(error)")
            }
            if global.verbose {
                Terminal.writeRaw(ReportRenderer.sourceDetails([report]))
            } else if !global.quiet, report.malformed > 0 {
                Terminal.printError("\(path): \(report.exchanges) exchanges, \(report.malformed) malformed of \(report.lines) lines")
                for s in report.samples {
                    Terminal.printError("  line \(s.line): \(s.reason): \(s.text.prefix(120))")
                }
            }
        }
        out.flush()
        if failed { throw ExitCode.failure }
        if strictness.strict, malformed > 0 { throw ExitCode(3) }
    }
}
