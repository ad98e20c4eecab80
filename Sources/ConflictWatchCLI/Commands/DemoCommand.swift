import ArgumentParser
import ConflictWatchCore
import ConflictWatchIngest
import ConflictWatchLab
import ConflictWatchStore
import Foundation
import Logging

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "First run: generate a labelled sample, analyse it, and show what comes out.",
        discussion: """
            Needs no root, no network and no setup. The sample is a 10-minute API log in
            nginx combined format in which one order becomes contended half-way through;
            the alerts are also written to an embedded store next to it, so the query
            commands can be tried.

            Example:
              conflictwatch demo
            """
    )

    @Option(name: .long, help: "Keep the generated sample in this directory instead of a temporary one.")
    var out: String?

    @Option(name: .long, help: "Seed of the generated traffic.")
    var seed: UInt64 = 42

    func run() async throws {
        let fm = FileManager.default
        let dir = out ?? (NSTemporaryDirectory() + "conflictwatch-demo-\(getpid())")
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw RuntimeFailure("cannot create \(dir): \(error.localizedDescription)")
        }
        let logPath = dir + "/access.log"
        let lines = SampleTraffic(seed: seed).combinedLines()
        guard fm.createFile(atPath: logPath, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
            throw RuntimeFailure("cannot write \(logPath)")
        }
        var sink = OutputSink(fd: 1)
        sink.write("conflictwatch demo: generated \(lines.count) requests of API traffic in \(logPath)\n\n")
        let minutes = MinuteRollups(bucketSeconds: ModelParameters().bucketSeconds)
        let report = OfflineAnalysis(format: .combined, parameters: ModelParameters()).run(
            paths: [logPath], observe: { x, analyzer in minutes.observe(x, &analyzer) }, inspect: { minutes.finish(&$0) })
        // The whole pipeline: the alerts also go to an embedded store, as a daemon's would.
        let stateDir = dir + "/state"
        do { try ConflictStore.saveAnalysis(report, rollups: minutes, in: stateDir) } catch { throw RuntimeFailure(error.description) }
        let reportPath = dir + "/report.html"
        try ReportCommand.write(try await ReportCommand.data(from: ConflictStore(directory: stateDir, mode: .reader, logger: Logger(label: "conflictwatch.store"))),
                                to: reportPath)
        sink.write(ReportRenderer.table(report, top: 10))
        sink.write("""

            The sample, and a store holding these alerts, stay in \(dir) (remove it when done).
            An HTML report of the run (charts, alert timeline, tables; one offline file): \(reportPath)
            How to go on:
              conflictwatch alerts --state-dir \(stateDir)            # the stored alerts, queried
              conflictwatch alerts show ID --state-dir \(stateDir)    # one alert with its evidence
              conflictwatch analyze --format json \(logPath)          # the machine-readable report
              conflictwatch parse \(logPath) | head -3                # the exchanges the parser sees
              conflictwatch analyze /var/log/nginx/access.log          # the same, on your own logs
              conflictwatch tail --from-start --state-dir \(dir)/live --listen 127.0.0.1:9409 \(logPath)
                                                                       # the daemon: API and dashboard on http://127.0.0.1:9409/
              conflictwatch simulate --scenario mixed --out /tmp/cw-sim   # more labelled traffic

            """)
        sink.flush()
    }
}
