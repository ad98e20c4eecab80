import ConflictWatchCore

/// `analyze`: reads every input to its end (lines → exchanges → analyzer) and builds the report.
/// Sources are read one after another; a failing source is reported and the others still run.
///
/// With two threads (the default) one thread reads, frames, parses and routes, and hands
/// batches of routed exchanges to the calling thread, which does the accounting and the model
/// (SPEC §11); when parsing keeps the reading thread the busier one by enough (JSON lines, a
/// custom `log_format`), routing moves to the accounting thread early in the run
/// (`RoutingPlacement`). The accounting sees the exchanges in input order, with the normalizer
/// as it was after each one, so the report is the one a single thread gives (`threads = 1`);
/// the tests hold the two to byte-identical reports.
public struct OfflineAnalysis {
    public var format: LogFormat
    public var parameters: ModelParameters
    public var maxLineLength: Int
    /// Length of the final ranked hot-spot list.
    public var hotspotCount = 20
    /// 2: reading and routing on a thread of their own; 1: everything on the caller's thread.
    public var threads = 2
    /// With two threads, which one routes (`RoutingPlacement`); tests force the move.
    var routingPlacement = RoutingPlacement.Policy.measured

    public init(format: LogFormat, parameters: ModelParameters, maxLineLength: Int = LineLimits.defaultMaxLineLength) {
        self.format = format
        self.parameters = parameters
        self.maxLineLength = maxLineLength
    }

    /// `progress(source index, bytes consumed of it, lines so far)`.
    /// `observe` sees each exchange just before the analyzer records it (per-minute rollups for
    /// `--state-dir`); nil costs one branch per exchange.
    /// `inspect` sees the analyzer after the last bucket closed (for `train`).
    /// All three run on the caller's thread.
    public func run(
        paths: [String], progress: (Int, UInt64, UInt64) -> Void = { _, _, _ in },
        observe: ((ExchangeView, inout TrafficAnalyzer) -> Void)? = nil,
        inspect: (inout TrafficAnalyzer) -> Void = { _ in }
    ) -> AnalysisReport {
        var session = AnalysisSession(parameters: parameters)
        let ingestor = SourceIngestor(format: format, maxLineLength: maxLineLength)
        if threads >= 2, let reading = try? RoutingReader.start(
            paths: paths, ingestor: ingestor, parameters: parameters, placement: routingPlacement
        ) {
            reading.drain(into: &session, progress: progress, observe: observe)
        } else {
            for (i, path) in paths.enumerated() {
                let linesBefore = session.summary.lines
                let report = ingestor.run(path: path, progress: { progress(i, $0, linesBefore + UInt64($1)) }) { x, _ in
                    if let observe { observe(x, &session.analyzer) }
                    session.analyzer.record(x)
                }
                session.add(report)
            }
        }
        return session.report(hotspots: hotspotCount, inspect: inspect)
    }
}
