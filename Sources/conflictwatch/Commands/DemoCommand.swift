import ArgumentParser
import ConflictWatchCore
import ConflictWatchIngest
import Foundation

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "First run: generate a labelled sample, analyse it, and show what comes out.",
        discussion: """
            Needs no root, no network and no setup. The sample is a 10-minute API log in nginx
            combined format in which one order becomes contended half-way through.

            Example:
              conflictwatch demo
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Keep the generated sample in this directory instead of a temporary one.")
    var out: String?

    @Option(name: .long, help: "Seed of the generated traffic.")
    var seed: UInt64 = 42

    func run() throws {
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
        let report = OfflineAnalysis(format: .combined, parameters: ModelParameters()).run(paths: [logPath])
        sink.write(ReportRenderer.table(report, top: 10))
        sink.write("""

            How to go on:
              conflictwatch analyze \(logPath)                 # the same, on your own logs
              conflictwatch analyze --format json \(logPath)   # the machine-readable report
              conflictwatch parse \(logPath) | head -3         # the exchanges the parser sees

            """)
        sink.flush()
        if out == nil { try? fm.removeItem(atPath: dir) }
    }
}
