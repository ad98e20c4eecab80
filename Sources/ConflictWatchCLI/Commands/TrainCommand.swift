import ArgumentParser
import ConflictWatchCore
import ConflictWatchIngest
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn per-route baselines from historical logs into a model file.",
        discussion: """
            Reads the logs like `analyze` and writes a model file of the same schema as
            models/default.json, with the parameters in use plus learned `baselines`
            (conflict ratios, writes per bucket, dispersion, edit windows, hot-spot
            calibration) per route. `--model FILE` on any analysing command then starts
            warm: no warm-up buckets.

            Example:
              conflictwatch train /var/log/nginx/access.log.1 \\
                /var/log/nginx/access.log.2.gz --out models/shop.json
              conflictwatch analyze --model models/shop.json /var/log/nginx/access.log
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Model file to write.", valueName: "file"))
    var out: String

    @Argument(help: ArgumentHelp("Access logs (plain or .gz); '-' reads stdin.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one log file to learn from") }
        let dir = (out as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            throw ValidationError("--out \(out): directory \(dir) does not exist; create it first")
        }
    }

    func run() throws {
        var parameters = try input.parameters()
        let analysis = OfflineAnalysis(format: input.format, parameters: parameters, maxLineLength: input.maxLineLength)
        var learned: [String: RouteBaseline] = [:]
        let report = analysis.run(paths: files, inspect: { analyzer in learned = analyzer.learnedBaselines() })
        for s in report.summary.sources where s.error != nil {
            Terminal.printError("conflictwatch: \(s.error!)")
        }
        guard report.summary.exchanges > 0 else {
            throw RuntimeFailure("no exchanges in \(files.joined(separator: ", ")): nothing to learn (check --log-format)")
        }
        parameters.baselines = learned
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(parameters)
        // Write-then-rename: a reader never sees half a model.
        let tmp = out + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw RuntimeFailure("cannot write \(tmp)")
        }
        guard rename(tmp, out) == 0 else {
            throw RuntimeFailure("cannot move \(tmp) to \(out): \(String(cString: strerror(errno)))")
        }
        if !global.quiet {
            Terminal.printError("learned \(learned.count) routes from \(report.summary.exchanges) exchanges (\(report.summary.firstTime ?? "?") … \(report.summary.lastTime ?? "?")); wrote \(out)")
        }
    }
}
