import ConflictWatchCore

/// `analyze`: reads every input to its end through one synchronous pipeline
/// (lines → exchanges → analyzer) and builds the report. Sources are read one after another;
/// a failing source is reported and the others still run.
public struct OfflineAnalysis {
    public var format: LogFormat
    public var parameters: ModelParameters
    public var maxLineLength: Int
    /// Length of the final ranked hot-spot list.
    public var hotspotCount = 20

    public init(format: LogFormat, parameters: ModelParameters, maxLineLength: Int = LineLimits.defaultMaxLineLength) {
        self.format = format
        self.parameters = parameters
        self.maxLineLength = maxLineLength
    }

    /// `progress(source index, bytes consumed of it, lines so far)`.
    /// `observe` sees each exchange just before the analyzer records it (per-minute rollups for
    /// `--state-dir`); nil costs one branch per exchange.
    /// `inspect` sees the analyzer after the last bucket closed (for `train`).
    public func run(
        paths: [String], progress: (Int, UInt64, UInt64) -> Void = { _, _, _ in },
        observe: ((ExchangeView, inout TrafficAnalyzer) -> Void)? = nil,
        inspect: (inout TrafficAnalyzer) -> Void = { _ in }
    ) -> AnalysisReport {
        var session = AnalysisSession(parameters: parameters)
        let ingestor = SourceIngestor(format: format, maxLineLength: maxLineLength)
        for (i, path) in paths.enumerated() {
            let linesBefore = session.summary.lines
            let report = ingestor.run(path: path, progress: { progress(i, $0, linesBefore + UInt64($1)) }) { x, _ in
                if let observe { observe(x, &session.analyzer) }
                session.analyzer.record(x)
            }
            session.add(report)
        }
        return session.report(hotspots: hotspotCount, inspect: inspect)
    }
}
