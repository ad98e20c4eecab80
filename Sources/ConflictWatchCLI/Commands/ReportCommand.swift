import ArgumentParser
import ConflictWatchCore
import ConflictWatchServer
import ConflictWatchStore
import Foundation

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report: charts, alert timeline, hot spots, routes.",
        discussion: """
            One file with no external assets and no network access (it opens in any
            browser, offline, and can be mailed or attached to a ticket): totals,
            conflicts over time for the top routes (the window's last hour per model
            bucket, the whole window per minute or wider steps), conflicts per route, a
            timeline of every alert of the window with its reason, the hot spots and the
            routes table. Times are UTC. Reads the store (--state-dir), a running
            daemon (--server) or a fleet's PostgreSQL (--database-url). The window is in traffic time; without --since it is
            everything stored. docs/dashboard.md describes the page.

            Examples:
              conflictwatch report --out report.html
              conflictwatch report --state-dir /var/lib/conflictwatch --since 24h \\
                --out today.html
              conflictwatch report --server http://127.0.0.1:9409 --out report.html
              conflictwatch report --database-url postgres://cw@db/conflictwatch \\
                --since 24h --out fleet.html
            """
    )

    @OptionGroup var source: QuerySourceOptions

    @OptionGroup var fleetSource: FleetSourceOptions

    @Option(name: .long, help: ArgumentHelp("The HTML file to write.", valueName: "file"))
    var out: String

    @Option(name: .long, help: ArgumentHelp("From this traffic time: 30m, 1h, 7d or RFC 3339.", valueName: "when"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("Up to this traffic time: 30m, 1h, 7d or RFC 3339.", valueName: "when"))
    var until: String?

    @Option(name: .long, help: "Routes charted over time.")
    var top: Int = 5

    func validate() throws {
        try fleetSource.check(against: source)
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, !TimeSpec.isValid(value) {
                throw ValidationError("\(name) \(value): give a span such as 30m, 1h, 7d or a time such as 2026-11-24T10:00:00Z")
            }
        }
        guard top > 0 else { throw ValidationError("--top must be at least 1") }
        guard !out.isEmpty, out != "-" else { throw ValidationError("--out needs a file name, e.g. --out report.html") }
        if let problem = Self.outputProblem(out) { throw ValidationError(problem) }
    }

    /// What is wrong with `path` as the report's file, said before any query runs: Foundation
    /// would only say "NSCocoaErrorDomain error 512" once the report is built.
    static func outputProblem(_ path: String) -> String? {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            let example = (path as NSString).appendingPathComponent("report.html")
            return "--out \(path) is a directory; give a file path such as \(example)"
        }
        let parent = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDir) {
            return "--out \(path): the directory \(parent) does not exist; create it or give another path"
        }
        if !isDir.boolValue { return "--out \(path): \(parent) is not a directory" }
        return nil
    }

    func run() async throws {
        let alerts = AlertQuery(since: since, until: until)
        let hotspots = HotspotQuery()
        let routes = RouteQuery(since: since, until: until)
        let series = SeriesQuery(since: since, until: until, top: top, all: since == nil)
        let recent = SeriesQuery(until: until, top: top, resolution: .bucket)
        var data: ReportPage.Data
        let generated = CivilTime.rfc3339(QueryTime.nowMicros())
        if let api = source.client {
            data = ReportPage.Data(
                generated: generated,
                alerts: try await api.get([Alert].self, path: AlertQuery.path, parameters: alerts.parameters),
                hotspots: try await api.get([HotspotRow].self, path: HotspotQuery.path, parameters: hotspots.parameters),
                routes: try await api.get([RouteRow].self, path: RouteQuery.path, parameters: routes.parameters),
                series: try await api.get(ConflictSeries.self, path: SeriesQuery.path, parameters: series.parameters),
                recent: try await api.get(ConflictSeries.self, path: SeriesQuery.path, parameters: recent.parameters),
                silences: try await api.get([Silence].self, path: SilenceRequest.path, parameters: [("all", "true")]))
        } else {
            let (since, until, top) = (since, until, top)
            data = try await fleetSource.withResults(source) { try await Self.data(from: $0, since: since, until: until, top: top) }
        }
        try Self.write(data, to: out)
        if data.routes.isEmpty, fleetSource.databaseURL == nil { await WindowHint.report(what: "traffic", since: since, listed: false, source: source) }
        Terminal.printError("conflictwatch: wrote \(out) (\(data.alerts.count) alerts, \(data.routes.count) routes, \(data.hotspots.count) hot spots)")
    }

    /// The report's data from a store or a fleet, through the API's queries.
    static func data(from store: some ResultStore, since: String? = nil, until: String? = nil, top: Int = 5) async throws -> ReportPage.Data {
        ReportPage.Data(
            generated: CivilTime.rfc3339(QueryTime.nowMicros()),
            alerts: try await AlertQuery(since: since, until: until).run(on: store), hotspots: try await HotspotQuery().run(on: store),
            routes: try await RouteQuery(since: since, until: until).run(on: store),
            series: try await SeriesQuery(since: since, until: until, top: top, all: since == nil).run(on: store),
            recent: try await SeriesQuery(until: until, top: top, resolution: .bucket).run(on: store),
            silences: try await silences(of: store))
    }

    /// The silences of the store the report reads: a fleet's or one daemon's.
    static func silences(of store: some ResultStore) async throws -> [Silence] {
        if let fleet = store as? any SilenceStore { return try await fleet.silences(includeExpired: true) }
        return try (store as? ConflictStore)?.silences(includeExpired: true) ?? []
    }

    static func write(_ data: ReportPage.Data, to path: String) throws {
        let html = try ReportPage.html(data)
        if let problem = outputProblem(path) { throw UsageFailure(problem) }
        let parent = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        // The atomic write creates a temporary file beside the report: try that first, for
        // errno's words instead of Foundation's "The operation could not be completed".
        let probe = parent + "/.conflictwatch-report-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RuntimeFailure("cannot write \(path): \(String(cString: strerror(errno))) (a file cannot be created in \(parent)); give another path")
        }
        close(fd)
        unlink(probe)
        do {
            try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? $0.code : nil }
            throw RuntimeFailure("cannot write \(path): \(posix.map { String(cString: strerror(Int32($0))) } ?? error.localizedDescription)")
        }
    }
}
