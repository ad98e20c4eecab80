/// The range each numeric model parameter may take (SPEC §10). The upper bounds are where the
/// tables the model allocates at start would take more memory than a real deployment needs, or
/// where a time span or factor stops meaning anything; a value outside is refused with its key,
/// its value and this range, instead of an allocation failure or a silently odd model.
/// docs/validation.md lists the same table with the reason for each bound.
package struct ModelParameterBound: Sendable {
    package enum Kind: Sendable { case integer, real }

    /// The key as written in a model file (`routes.max_routes` for nested keys).
    package let key: String
    package let kind: Kind
    package let lower: Double
    package let lowerInclusive: Bool
    package let upper: Double
    package let upperInclusive: Bool
    /// Why the range is what it is, for the error message.
    package let why: String
    let read: @Sendable (ModelParameters) -> Double

    package func contains(_ v: Double) -> Bool {
        guard v.isFinite else { return false }
        let aboveLower = lowerInclusive ? v >= lower : v > lower
        let belowUpper = upperInclusive ? v <= upper : v < upper
        return aboveLower && belowUpper
    }

    /// `1000…2097152` for closed ranges, interval notation when an end is open.
    package var allowed: String {
        let lo = Self.format(lower, kind), hi = Self.format(upper, kind)
        if lowerInclusive && upperInclusive { return "\(lo)…\(hi)" }
        return "\(lowerInclusive ? "[" : "(")\(lo), \(hi)\(upperInclusive ? "]" : ")")"
    }

    static func format(_ v: Double, _ kind: Kind) -> String {
        if kind == .integer || (v == v.rounded() && abs(v) < 1e15) { return String(Int64(v)) }
        return "\(v)"
    }
}

extension ModelParameters {
    /// One entry per numeric key of `models/default.json`; a test checks none is missing.
    package static let bounds: [ModelParameterBound] = {
        typealias B = ModelParameterBound
        func int(_ key: String, _ lo: Int, _ hi: Int, _ why: String, _ read: @escaping @Sendable (ModelParameters) -> Int) -> B {
            B(key: key, kind: .integer, lower: Double(lo), lowerInclusive: true, upper: Double(hi), upperInclusive: true,
              why: why, read: { Double(read($0)) })
        }
        func real(_ key: String, _ lo: Double, _ loIn: Bool, _ hi: Double, _ hiIn: Bool, _ why: String,
                  _ read: @escaping @Sendable (ModelParameters) -> Double) -> B {
            B(key: key, kind: .real, lower: lo, lowerInclusive: loIn, upper: hi, upperInclusive: hiIn, why: why, read: read)
        }
        let day = 86_400.0
        let halfLife = "a half-life under a second forgets within one request; over 30 days never adapts"
        return [
            int("schema", 1, 1, "the only layout this build reads", { $0.schema }),
            int("routes.var_threshold", 2, 1024, "the distinct-value estimate uses a 1024-bit bitmap per position", { $0.routes.varThreshold }),
            int("routes.max_learned_positions", 64, 262_144, "about 140 bytes each, allocated at start: the maximum takes about 36 MiB", { $0.routes.maxLearnedPositions }),
            int("routes.max_routes", 10, 100_000, "about 3 KiB per route as routes appear: the maximum is about 300 MiB; more routes than that means the paths need templates", { $0.routes.maxRoutes }),
            real("bucket_seconds", 1, true, 3600, true, "the bucket is also the detection latency; over an hour nothing is live", { $0.bucketSeconds }),
            real("horizon_seconds", 1, true, day, true, "a prediction further ahead than a day is not a hot spot", { $0.horizonSeconds }),
            real("alpha", 0, false, 0.5, true, "a false-alarm rate: a probability, and above 0.5 every bucket alerts", { $0.alpha }),
            real("continue_alpha", 0, false, 1, false, "a probability, at least alpha", { $0.continueAlpha }),
            int("min_conflicts", 1, 1_000_000, "a count of conflicts in one bucket", { $0.minConflicts }),
            int("close_after", 1, 10_000, "quiet buckets; more than 10000 would keep alerts open for days", { $0.closeAfter }),
            real("reopen_window_seconds", 0, true, 7 * day, true, "0 (never reopen) to a week", { $0.reopenWindowSeconds }),
            int("warmup_buckets", 0, 10_000, "buckets a route learns before it may alert", { $0.warmupBuckets }),
            real("baseline_half_life_seconds", 1, true, 30 * day, true, halfLife, { $0.baselineHalfLifeSeconds }),
            real("prior_conflicts", 0, false, 1e6, true, "a pseudo-count; 0 would make the ratio prior undefined", { $0.priorConflicts }),
            real("prior_writes", 0, false, 1e9, true, "a pseudo-count; 0 would make the ratio prior undefined", { $0.priorWrites }),
            real("prior_conflicts_per_bucket", 0, false, 1000, true, "0 would make a quiet route's first conflict infinitely unlikely", { $0.priorConflictsPerBucket }),
            real("clip_sigmas", 0, true, 100, true, "standard deviations; 0 freezes the baseline during a burst", { $0.clipSigmas }),
            real("overdispersion_threshold", 1, true, 1000, true, "a variance/mean ratio; a Poisson count has 1", { $0.overdispersionThreshold }),
            real("single_share", 0.5, false, 1, true, "a share that one client or resource must hold: more than half", { $0.singleShare }),
            real("load_factor", 1, true, 1000, true, "a ratio of write rates; below 1 every burst is load-driven", { $0.loadFactor }),
            real("trend_half_life_seconds", 1, true, 30 * day, true, halfLife, { $0.trendHalfLifeSeconds }),
            real("escalation_factor", 1, false, 1000, true, "a ratio above the opening level; 1 or less escalates at once", { $0.escalationFactor }),
            real("hotspot_threshold", 0, false, 1, false, "a probability strictly between 0 and 1", { $0.hotspotThreshold }),
            int("min_writes", 1, 1_000_000, "writes a resource needs before it is ranked", { $0.minWrites }),
            real("hotspot_rise_factor", 1, true, 1000, true, "a ratio to the resource's own recent level", { $0.hotspotRiseFactor }),
            real("hotspot_level_half_life_seconds", 1, true, 30 * day, true, halfLife, { $0.hotspotLevelHalfLifeSeconds }),
            real("rate_half_life_seconds", 1, true, 30 * day, true, halfLife, { $0.rateHalfLifeSeconds }),
            real("writer_window_seconds", 1, true, day, true, "writers seen within a day at most count as recent", { $0.writerWindowSeconds }),
            real("max_edit_window_seconds", 1, true, day, true, "a read→write gap longer than a day is not an edit", { $0.maxEditWindowSeconds }),
            real("default_edit_window_ms", 1, true, day * 1000, true, "milliseconds, at most a day", { $0.defaultEditWindowMs }),
            real("calibration_half_life_seconds", 1, true, 30 * day, true, halfLife, { $0.calibrationHalfLifeSeconds }),
            real("calibration_prior_weight", 0, false, 1e6, true, "expected conflicts; 0 leaves a resource with no evidence undefined", { $0.calibrationPriorWeight }),
            int("max_resources", 1000, 2_097_152, "about 0.3 KiB each, allocated at start: the maximum takes about 700 MB", { $0.maxResources }),
            int("read_tracker_slots", 1024, 4_194_304, "16 bytes each, allocated at start: the maximum takes 64 MiB", { $0.readTrackerSlots }),
        ]
    }()

    /// Longest lists a model file may hold, and the checks on their entries.
    package static let maxWriteMethods = 32
    package static let maxConflictStatuses = 16
    package static let maxTemplates = 10_000
    package static let maxTemplateBytes = 2048
    package static let maxBaselines = 1_000_000
}
