import ArgumentParser
import ConflictWatchCore
import ConflictWatchIngest
import ConflictWatchLab
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score alerts against a simulate truth file, and the hot-spot ranking against naive rankers.",
        discussion: """
            Window of an event: from the start of its first bucket to close_after
            buckets after its end. A burst event is detected by a burst alert on its
            route (or on its resource) that opens in the window, or that was open
            before and escalates in it (detection at the escalation). A hot-spot
            event is detected by a hotspot alert naming its resource at a time in
            the window (its own resource at the start, or a top_resources entry at
            its since), or by a single_resource burst on it. Delay = (detection -
            event start) in buckets. Class ok: the first detecting alert names every
            class of the truth's classes and, where the truth names a client, that
            client. A burst alert whose opening explains no event (route and time)
            is a false burst; alerts of either kind opened after the warm-up (15 min,
            or the first event if sooner) that explain no event are the non-event
            volume; alerts on the truth's quiet_routes are listed apart.

            Ranking: the truth's log is replayed through the model in time order. At
            every bucket boundary the resources written within the last horizon are
            ranked in the model's own order, by their writes and by their conflicts
            within the last horizon, and labelled by whether they see a conflict
            within the next horizon. Reported for each ranker: precision@10 (mean
            over checkpoints with a positive) and PR-AUC (average precision over all
            pooled pairs); equal scores count as one step. For each hot-spot event
            the model's ranking is probed every second: the lead time is when its
            resource is first ranked #1, from the event's start and its onset.

            Example:
              conflictwatch simulate --scenario flash-sale --out /tmp/fs
              conflictwatch analyze --format json /tmp/fs/access.log > /tmp/fs/a.json
              conflictwatch evaluate --truth /tmp/fs/truth.json /tmp/fs/a.json
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup var strictness: StrictOptions
    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("The truth.json written by `conflictwatch simulate`.", valueName: "file"))
    var truth: String

    @Argument(help: ArgumentHelp("`analyze --format json` output, or a JSON array of alerts.", valueName: "alerts.json"))
    var alerts: String

    @Option(name: .long, help: "table (for people) or json (every figure).")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Score the alerts only; skip replaying the log for the ranking.")
    var noRanking = false

    func validate() throws {
        for (flag, path) in [("--truth", truth), ("alerts file", alerts)] where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("\(flag) \(path): no readable file there")
        }
    }

    func run() throws {
        let parameters = try input.parameters()
        let groundTruth = try Self.readTruth(truth)
        let alertRecords: [AlertRecord]
        do {
            alertRecords = try AlertRecord.decodeList(try Data(contentsOf: URL(fileURLWithPath: alerts)))
        } catch let e as AlertRecord.FormatError {
            throw RuntimeFailure("\(alerts): \(e.description)")
        } catch {
            throw RuntimeFailure("cannot read \(alerts): \(error.localizedDescription)")
        }
        let events: [TimedEvent]
        do {
            events = try groundTruth.events.map { e throws(TimedEvent.FormatError) in try TimedEvent(e) }
        } catch {
            throw RuntimeFailure("\(truth): \(error.description)")
        }
        if groundTruth.bucketSeconds != parameters.bucketSeconds, !global.quiet {
            Terminal.printError(
                "conflictwatch: the truth counts peaks in \(groundTruth.bucketSeconds) s buckets, the model uses \(parameters.bucketSeconds) s; delays are in the model's buckets")
        }
        guard let start = EvaluationTime.micros(groundTruth.start), let end = EvaluationTime.micros(groundTruth.end), end > start else {
            throw RuntimeFailure("\(truth): start/end are not RFC 3339 times in order (\(groundTruth.start) … \(groundTruth.end))")
        }
        let replay = noRanking ? nil : try self.replay(groundTruth, events: events, parameters: parameters)
        let report = EvaluationReport.score(
            truth: groundTruth, truthPath: truth, alertsPath: alerts, events: events, alerts: alertRecords,
            start: start, end: end, parameters: parameters, replay: replay)
        let replaySummary = report.replay
        var out = OutputSink(fd: 1)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            out.write(String(decoding: try encoder.encode(report), as: UTF8.self) + "\n")
        case .table:
            out.write(Self.table(report))
        }
        out.flush()
        if strictness.strict, let r = replaySummary, r.malformed > 0 {
            Terminal.printError("conflictwatch: \(r.malformed) malformed lines in \(r.log) (--strict)")
            throw ExitCode(3)
        }
    }

    static func readTruth(_ path: String) throws -> GroundTruth {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RuntimeFailure("cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(GroundTruth.self, from: data)
        } catch {
            throw RuntimeFailure("\(path) is not a truth file written by `conflictwatch simulate`: \(AlertRecord.explain(error))")
        }
    }

    /// Replays the truth's log (relative to the truth file) through the model.
    func replay(_ t: GroundTruth, events: [TimedEvent], parameters: ModelParameters) throws -> (RankingReplay, EvaluationReport.Replay) {
        let log = t.log.hasPrefix("/") ? t.log : ((truth as NSString).deletingLastPathComponent as NSString).appendingPathComponent(t.log)
        var format = input.format
        if input.logFormat == "auto", let recorded = try? LogFormat(argument: t.logFormat) { format = recorded }
        var replay = RankingReplay(parameters: parameters, watching: events)
        var bar = ProgressBar(totalBytes: FileSize.of(log), enabled: !global.quiet && Terminal.stderrIsTTY)
        let source = SourceIngestor(format: format, maxLineLength: input.maxLineLength).run(
            path: log, progress: { bytes, lines in bar.update(bytes: bytes, lines: UInt64(lines)) }
        ) { x, _ in replay.observe(x) }
        bar.finish()
        if let error = source.error { throw RuntimeFailure("cannot replay the truth's log: \(error)") }
        if source.malformed > 0, !global.quiet {
            Terminal.printError("conflictwatch: \(source.malformed) of \(source.lines) lines of \(log) did not parse as \(format)")
        }
        return (replay, EvaluationReport.Replay(log: log, lines: source.lines, exchanges: source.exchanges, malformed: source.malformed))
    }

    // MARK: - Table

    static func table(_ r: EvaluationReport) -> String {
        let d = r.detection
        func num(_ v: Double?, _ digits: Int = 3) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var out = "Evaluation of \(r.scenario) (seed \(r.seed)): \(d.events.count) events, \(d.burstAlerts) burst alerts, "
            + "\(d.hotspotAlerts) hotspot alerts over \(num(d.hours, 2)) h of traffic\n\n"
        if !d.events.isEmpty {
            var t = TableRenderer([
                ("EVENT", .left), ("KIND", .left), ("CLASSES", .left), ("ON", .left), ("START", .left), ("DETECTED", .left),
                ("DELAY", .right), ("ALERT CLASS", .left), ("CLASS OK", .left), ("BEFORE PEAK", .left), ("#1 AFTER", .left),
            ])
            for e in d.events {
                let classOK = e.classOK.map { ok in
                    ok ? "yes" : "NO" + ((e.missingClasses ?? []).isEmpty ? "" : " -" + (e.missingClasses ?? []).joined(separator: ",-"))
                        + (e.clientMatch == false ? " client \(e.alertClient ?? "null")" : "")
                } ?? "-"
                let first = e.isHotspot ? (e.rankedFirstAfterStart.map { "\(num($0, 0)) s" + (e.rankedFirstAfterOnset.map { " (onset \(num($0, 0)) s)" } ?? "") } ?? "never") : "-"
                t.add([
                    e.id, e.kind, e.classes.joined(separator: ","), String((e.resource ?? e.route).prefix(40)), TableTime.utc(e.start),
                    e.detected ? "yes" + (e.detectedVia == .opened ? "" : " (\(e.detectedVia?.rawValue ?? ""))") : "MISSED",
                    num(e.delayBuckets, 1), e.alertClass?.joined(separator: ",") ?? "-", classOK,
                    e.raisedBeforePeak.map { ($0 ? "yes" : "NO") + (e.leadBuckets.map { " (\(num($0, 1)) buckets)" } ?? "") } ?? "-",
                    r.ranking == nil ? "-" : first,
                ])
            }
            out += "Events (delay in buckets from the event's start to its detection; #1 after: when the model's ranking first put a hot spot's resource first)\n"
                + t.render() + "\n"
        }
        if d.detected > 0 { out += "Diagnoses: \(d.classesOK) of \(d.detected) detected events with every class of the truth and its client\n" }
        out += "Burst alerts: \(d.burstAlerts), \(d.trueBurstAlerts) on events, \(d.falseBurstAlerts.count) false "
            + "(\(num(d.falseBurstsPerHour, 2)) per hour); precision \(num(d.precision, 2)), recall \(num(d.recall, 2))\n"
        for f in d.falseBurstAlerts.prefix(10) {
            out += "  false: \(TerminalText.escape(f.id)) \(TerminalText.escape(f.route)) \(TerminalText.escape(f.class.joined(separator: ","))) from \(TerminalText.escape(TableTime.utc(f.start)))"
                + (f.client.map { " client \(TerminalText.escape($0))" } ?? "") + "\n"
        }
        if d.falseBurstAlerts.count > 10 { out += "  … \(d.falseBurstAlerts.count - 10) more; use --format json\n" }
        out += "Alerts about no event after the warm-up (until \(TableTime.utc(d.warmupEnd)), "
            + (d.warmupEndsAtFirstEvent ? "the first event" : "15 min") + "): \(d.nonEventAlerts.count) in \(num(d.scoredHours, 2)) h "
            + "(\(num(d.nonEventAlertsPerHour, 1)) per hour)\n"
        if !d.quietRouteAlerts.isEmpty {
            let routes = Dictionary(grouping: d.quietRouteAlerts, by: \.route).map { "\(TerminalText.escape($0.key)) \($0.value.count)" }.sorted()
            out += "Alerts on quiet routes: \(d.quietRouteAlerts.count) (\(routes.joined(separator: ", ")))\n"
        }
        let others = d.otherHotspotAlertsByRoute.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\(TerminalText.escape($0.key)) \($0.value)" }
        out += "Hotspot alerts: \(d.hotspotAlerts), \(d.hotspotAlertsOnEvents) on event resources"
            + (others.isEmpty ? "" : "; others by route: " + others.joined(separator: ", "))
            + (d.hotspotAlertPrecision.map { "; \(Int(($0 * 100).rounded()))% of the resources they name saw a conflict within the horizon" } ?? "") + "\n"
        if let k = r.ranking {
            let rate = k.pairs > 0 ? Double(k.positives) / Double(k.pairs) * 100 : 0
            out += "\nRanking (horizon \(Int(k.horizonSeconds)) s; \(k.checkpoints) checkpoints, \(k.checkpointsWithPositives) with a positive; "
                + "\(k.pairs) pairs, \(String(format: "%.1f", rate))% positive)\n"
            var t = TableRenderer([("RANKER", .left), ("P@10", .right), ("PR-AUC", .right), ("TOP-10 SLOTS BY ROUTE", .left)])
            for x in k.rankers {
                let routes = x.top10Routes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
                    .map { "\(TerminalText.escape($0.key)) \(Int(($0.value * 100).rounded()))%" }.joined(separator: ", ")
                t.add([x.name, num(x.precisionAt10), num(x.prAUC), routes])
            }
            out += t.render()
        }
        if let p = r.replay, p.malformed > 0 { out += "  (\(p.malformed) of \(p.lines) log lines did not parse)\n" }
        out += "\nQuality bar: " + (r.quality.passed ? "pass\n" : "FAIL\n" + r.quality.failures.map { "  - \($0)\n" }.joined())
        // The alerts file and the truth are inputs too: nothing of them reaches the terminal raw.
        return TerminalText.escapeLines(out)
    }
}
