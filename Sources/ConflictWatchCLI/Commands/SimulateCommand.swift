import ArgumentParser
import ConflictWatchCore
import ConflictWatchLab
import Foundation

extension Scenario: ExpressibleByArgument {}
extension SimulatedLogFormat: ExpressibleByArgument {}

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write labelled synthetic API traffic: an access log and truth.json.",
        discussion: """
            Clients read a resource, think, and write it back with the version they
            read; a write on a stale version gets 412 (If-Match) or 409, so hot spots
            come from real overlap. Every scenario has warm orders, steadily contended
            counters (a steady high conflict rate, not a burst), notes that never
            check versions, and documents of which a few are locked (a steady trickle
            of 409s from their single owners: no alert is right there). Scenarios:
              steady                 background traffic only (default 1 h)
              retry-storm            a client replays a stale If-Match, no back-off
              duplicate-create       a client repeats one POST create (409: unique key)
              deploy-regression      a route refuses 20-40% of writes with 409
              flash-sale             one product's stock turns hot as buyers ramp up
              mixed                  four of these at different times (default 80 min)
              trend-rush             booking 409s rise slowly as slots fill; then 12
                                     clients fight over 3 released slots for ~20 s
              trend-regression       workflow 409s rise slowly as workers join; then
                                     every transition answers 409 for ~25 s
              storm-among-conflicts  a retry storm on a counter, among the counters'
                                     many normal conflicts
              realistic              1 h: both trends and seven incidents, and a
                                     restart_at time mid-incident in truth.json
            Other scenarios default to 30 min, with at least 10 min of warm-up.
            DIR/truth.json lists the injected events for `conflictwatch evaluate`;
            docs/evaluation.md describes each scenario's generative model.
            The same --seed gives the same bytes.

            Example:
              conflictwatch simulate --scenario retry-storm --out /tmp/storm --seed 7
              conflictwatch analyze --format json /tmp/storm/access.log > /tmp/a.json
              conflictwatch evaluate --truth /tmp/storm/truth.json /tmp/a.json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("One of: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var scenario: Scenario

    @Option(name: .long, help: ArgumentHelp("Directory to write access.log and truth.json into (created if missing).", valueName: "dir"))
    var out: String

    @Option(name: .long, help: "Seed of the generated traffic.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Simulated seconds (default: 3600 for steady and realistic, 4800 for mixed, 1800 otherwise).", valueName: "seconds"))
    var duration: Int?

    @Option(name: .long, help: ArgumentHelp("Mean background request rate, requests per second.", valueName: "req/s"))
    var rate: Double = SimulationSettings.defaultRate

    @Option(name: .long, help: ArgumentHelp("combined, common or json (nginx escape=json).", valueName: "format"))
    var logFormat: SimulatedLogFormat = .combined

    func validate() throws {
        if let duration, duration < scenario.minimumDurationSeconds || duration > 7 * 86_400 {
            throw ValidationError(
                "--duration \(duration): \(scenario.rawValue) needs \(scenario.minimumDurationSeconds)…604800 seconds (default \(scenario.defaultDurationSeconds))")
        }
        guard rate >= 1, rate <= 20_000 else {
            throw ValidationError("--rate must be between 1 and 20000 requests per second (default \(Int(SimulationSettings.defaultRate)))")
        }
        if FileManager.default.fileExists(atPath: out), !Self.isDirectory(out) {
            throw ValidationError("--out \(out) is a file; give a directory (it is created if missing)")
        }
    }

    func run() throws {
        let settings = SimulationSettings(
            scenario: scenario, seed: seed, durationSeconds: duration.map(Double.init), rate: rate, logFormat: logFormat)
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw RuntimeFailure("cannot create \(out): \(error.localizedDescription)")
        }
        let logPath = (out as NSString).appendingPathComponent(settings.logName)
        let truthPath = (out as NSString).appendingPathComponent("truth.json")
        var writer = try LineFileWriter(path: logPath)
        let formatter = AccessLogFormatter(format: logFormat)
        var conflicts = 0
        let truth = TrafficSimulator(settings: settings).run { r in
            if r.isConflict { conflicts += 1 }
            writer.append(formatter.line(r))
        }
        try writer.close()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard FileManager.default.createFile(atPath: truthPath, contents: try encoder.encode(truth) + Data("\n".utf8)) else {
            throw RuntimeFailure("cannot write \(truthPath)")
        }
        if !global.quiet {
            Terminal.printError(
                "simulated \(scenario.rawValue) (seed \(seed)): \(truth.requests ?? 0) requests, \(conflicts) conflicts, "
                    + "\(truth.start) … \(truth.end); \(truth.events.count) events in \(truthPath); log \(logPath) (\(logFormat.rawValue))")
            if global.verbose {
                for e in truth.events { Terminal.printError("  \(e.id) \(e.start) … \(e.end): \(e.description ?? e.kind)") }
                if let restart = truth.restartAt { Terminal.printError("  restart check at \(restart)") }
            }
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}

/// Buffered line writes to a new file (a simulated log can be hundreds of MB); the first write
/// error is kept and reported by `close()`, so a full disk is not a silently short log.
private struct LineFileWriter {
    let path: String
    let handle: FileHandle
    var buffer: [UInt8] = []
    var failure: (any Error)?

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw RuntimeFailure("cannot create \(path): check that the directory is writable")
        }
        do {
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } catch {
            throw RuntimeFailure("cannot open \(path) for writing: \(error.localizedDescription)")
        }
        buffer.reserveCapacity(1 << 20)
    }

    mutating func append(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty, failure == nil else { return }
        do { try handle.write(contentsOf: buffer) } catch { failure = error }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        flush()
        if failure == nil { do { try handle.close() } catch { failure = error } }
        if let failure { throw RuntimeFailure("cannot write \(path): \(failure.localizedDescription)") }
    }
}
