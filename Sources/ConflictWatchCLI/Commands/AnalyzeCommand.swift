import ArgumentParser
import ConflictWatchCore
import ConflictWatchIngest
import ConflictWatchStore

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyse access logs offline: summary, routes, alerts and hot spots.",
        discussion: """
            Reads every file to its end (plain or gzip, recognised by content). Times in
            the report are those of the traffic, not of the wall clock.

            Examples:
              conflictwatch analyze /var/log/nginx/access.log \\
                /var/log/nginx/access.log.1.gz
              conflictwatch analyze --format json --log-format combined \\
                access.log > report.json
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var strictness: StrictOptions
    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "table (for people) or json (SPEC §6 document).")
    var format: OutputFormat = .table

    @Option(name: .long, help: ArgumentHelp(
        "Also store the alerts, hot spots and per-minute route counts here, for `alerts`, `hotspots`, `routes` and `report`.",
        valueName: "dir"))
    var stateDir: String?

    @Option(name: .long, help: "Routes shown in the table.")
    var top: Int = 20

    @Argument(help: ArgumentHelp("Access logs (plain or .gz); '-' reads stdin.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one log file, or '-' for stdin") }
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let analysis = OfflineAnalysis(format: input.format, parameters: try input.parameters(), maxLineLength: input.maxLineLength)
        let minutes = stateDir.map { _ in MinuteRollups(bucketSeconds: analysis.parameters.bucketSeconds) }
        let report = AnalysisRun.execute(analysis, files: files, showProgress: !global.quiet, minutes: minutes)
        if let stateDir, let minutes {
            do { try ConflictStore.saveAnalysis(report, rollups: minutes, in: stateDir) } catch { throw RuntimeFailure(error.description) }
        }
        var out = OutputSink(fd: 1)
        switch format {
        case .json: out.write(try ReportRenderer.json(report))
        case .table: out.write(ReportRenderer.table(report, top: top))
        }
        out.flush()
        if global.verbose { Terminal.writeRaw(ReportRenderer.sourceDetails(report.summary.sources)) }
        var failed = false
        for s in report.summary.sources {
            if let e = s.error { failed = true; Terminal.printError("conflictwatch: \(e)") }
        }
        if failed { throw ExitCode.failure }
        if strictness.strict, report.summary.malformed > 0 {
            Terminal.printError("conflictwatch: \(report.summary.malformed) malformed lines (--strict)")
            throw ExitCode(3)
        }
    }
}

/// Runs an offline analysis with the progress bar wired up.
enum AnalysisRun {
    static func execute(_ analysis: OfflineAnalysis, files: [String], showProgress: Bool,
                        minutes: MinuteRollups? = nil) -> AnalysisReport {
        let sizes = files.map { FileSize.of($0) }
        let total: UInt64? = sizes.contains(nil) ? nil : sizes.reduce(0) { $0 + $1! }
        var bar = ProgressBar(totalBytes: total, enabled: showProgress && Terminal.stderrIsTTY)
        var doneBefore: [UInt64] = []
        var acc: UInt64 = 0
        for s in sizes { doneBefore.append(acc); acc += s ?? 0 }
        let report = analysis.run(
            paths: files,
            progress: { index, bytes, lines in bar.update(bytes: doneBefore[index] + bytes, lines: lines) },
            observe: minutes.map { m in { x, analyzer in m.observe(x, &analyzer) } },
            inspect: { analyzer in minutes?.finish(&analyzer) })
        bar.finish()
        return report
    }
}
