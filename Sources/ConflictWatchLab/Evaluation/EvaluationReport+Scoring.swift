import ConflictWatchCore

extension EvaluationReport {
    /// Scores one run: the alerts against the truth's events, and, when the truth's log was
    /// replayed, the model's ranking and the share of the resources hotspot alerts name that saw a
    /// conflict within the horizon. `evaluate` reads the files and replays the log; the figures
    /// are computed here so the test bench owns its maths.
    public static func score(
        truth: GroundTruth, truthPath: String, alertsPath: String, events: [TimedEvent], alerts: [AlertRecord],
        start: Int64, end: Int64, parameters: ModelParameters, replay: (RankingReplay, Replay)?
    ) -> EvaluationReport {
        let matcher = EventMatcher(bucketSeconds: parameters.bucketSeconds, closeAfter: parameters.closeAfter)
        var detection = DetectionEvaluation.score(
            events: events, alerts: alerts, matcher: matcher, start: start, end: end, quietRoutes: truth.quietRoutes ?? [])
        var ranking: RankingEvaluation?
        if let (replay, _) = replay {
            ranking = replay.evaluate()
            detection.attach(replay.hotspotLeads)
            // Each resource a hotspot alert names counts once, from when it joined the alert.
            let named = alerts.filter(\.isHotspot).flatMap(\.members)
            if !named.isEmpty {
                let horizon = Int64(parameters.horizonSeconds * 1e6)
                let confirmed = named.filter { replay.conflicted($0.resource, from: $0.since, to: $0.since + horizon) }
                detection.hotspotAlertPrecision = (Double(confirmed.count) / Double(named.count) * 10_000).rounded() / 10_000
            }
        }
        return EvaluationReport(
            scenario: truth.scenario, seed: truth.seed, truth: truthPath, alerts: alertsPath, detection: detection,
            ranking: ranking, replay: replay?.1, quality: QualityBar.check(detection, ranking))
    }
}
