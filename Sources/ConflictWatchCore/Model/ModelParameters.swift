import Foundation

/// Every tunable of the model, with its default (SPEC §5.5). `models/default.json` holds the
/// same values and a test keeps the two identical; `models/README.md` explains each.
public struct ModelParameters: Codable, Sendable, Equatable {
    public var schema: Int = 1
    /// Methods that count as writes.
    public var writeMethods: [String] = ["PUT", "PATCH", "POST", "DELETE"]
    /// Statuses that count as conflicts.
    public var conflictStatuses: [Int] = [409, 412, 423]
    public var routes = RouteParameters()

    // Time.
    /// Length of a counting bucket for burst detection, seconds.
    public var bucketSeconds: Double = 10
    /// Hot-spot horizon H: "a conflict within the next H seconds", seconds.
    public var horizonSeconds: Double = 60

    // Burst detection (SPEC §5.4).
    /// Family-wise false-alarm rate per bucket; each route is tested at alpha / active routes.
    public var alpha: Double = 1e-4
    /// Upper-tail probability under which a bucket keeps an open burst open (hysteresis).
    public var continueAlpha: Double = 0.01
    /// Fewest conflicts in a bucket that can be a burst.
    public var minConflicts: Int = 5
    /// Quiet buckets after which a burst alert closes.
    public var closeAfter: Int = 3
    /// A route anomalous again within this many seconds of its burst closing reopens that burst.
    public var reopenWindowSeconds: Double = 600
    /// Buckets with writes a route needs before it may alert (skipped with a trained model).
    public var warmupBuckets: Int = 6
    /// Half-life of the conflict-ratio baseline, seconds.
    public var baselineHalfLifeSeconds: Double = 3600
    /// Gamma prior on the conflict ratio: pseudo-conflicts and pseudo-writes.
    public var priorConflicts: Double = 0.5
    public var priorWrites: Double = 50
    /// Background conflicts per bucket expected even on a quiet route.
    public var priorConflictsPerBucket: Double = 0.05
    /// An anomalous bucket teaches the baseline at most expected + clip_sigmas · sd conflicts.
    public var clipSigmas: Double = 1
    /// Dispersion index (variance / mean of bucket counts) above which the route is treated as
    /// over-dispersed and tested with a negative binomial.
    public var overdispersionThreshold: Double = 1.5
    /// Share of a burst's conflicts one client / resource must hold for single_client / single_resource.
    public var singleShare: Double = 0.8
    /// Writes per bucket above this multiple of the baseline make a burst load_driven (when the
    /// conflict ratio rose no more than the writes did).
    public var loadFactor: Double = 2
    /// Half-life of the fast level-and-trend baseline a bucket must also beat, seconds: a slow
    /// rise in conflicts is followed, not alerted on.
    public var trendHalfLifeSeconds: Double = 300
    /// An open burst whose bucket count reaches this multiple of the level it opened at (and is
    /// anomalous against that level) escalates: a new step on top of an incident.
    public var escalationFactor: Double = 3

    // Hot spots (SPEC §5.3).
    /// Probability at which a hotspot alert opens (closes below half of it).
    public var hotspotThreshold: Double = 0.5
    /// Writes a resource needs before it can be a hot spot.
    public var minWrites: Int = 5
    /// A hotspot alert needs the resource's expected conflicts at this multiple of its own
    /// recent level: alerts are for what changed, not for objects that were always busy.
    public var hotspotRiseFactor: Double = 3
    /// Half-life of a resource's recent level of expected conflicts, seconds.
    public var hotspotLevelHalfLifeSeconds: Double = 600
    /// Half-life of a resource's write rate, seconds.
    public var rateHalfLifeSeconds: Double = 60
    /// Writers seen within this many seconds count as recent distinct writers.
    public var writerWindowSeconds: Double = 300
    /// Longest read→write gap taken as an edit window, seconds.
    public var maxEditWindowSeconds: Double = 600
    /// Edit window assumed before any has been observed, milliseconds.
    public var defaultEditWindowMs: Double = 1000
    /// Half-life of the per-route calibration sums, seconds.
    public var calibrationHalfLifeSeconds: Double = 3600
    /// Weight, in expected conflicts, of the prior that the raw model is right (factor 1).
    public var calibrationPriorWeight: Double = 2
    /// Resources tracked at once; the weakest writer of a full set is evicted.
    public var maxResources: Int = 200_000
    /// Slots of the (client, resource) → last read table used to measure edit windows.
    public var readTrackerSlots: Int = 262_144

    public struct RouteParameters: Codable, Sendable, Equatable {
        /// Distinct values at one literal segment position (under one prefix) before it becomes `{var}`.
        public var varThreshold: Int = 64
        /// Segment positions tracked for `{var}` learning; memory is about 140 bytes each.
        public var maxLearnedPositions: Int = 16_384
        /// Distinct routes kept; more are counted under `{other}`.
        public var maxRoutes: Int = 10_000
        /// Explicit route templates, e.g. `/api/orders/{id}/items`; first match wins.
        public var templates: [String] = []

        public init() {}

        enum CodingKeys: String, CodingKey {
            case varThreshold = "var_threshold"
            case maxLearnedPositions = "max_learned_positions"
            case maxRoutes = "max_routes"
            case templates
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case schema
        case writeMethods = "write_methods"
        case conflictStatuses = "conflict_statuses"
        case routes
        case bucketSeconds = "bucket_seconds"
        case horizonSeconds = "horizon_seconds"
        case alpha
        case continueAlpha = "continue_alpha"
        case minConflicts = "min_conflicts"
        case closeAfter = "close_after"
        case warmupBuckets = "warmup_buckets"
        case reopenWindowSeconds = "reopen_window_seconds"
        case baselineHalfLifeSeconds = "baseline_half_life_seconds"
        case priorConflicts = "prior_conflicts"
        case priorWrites = "prior_writes"
        case priorConflictsPerBucket = "prior_conflicts_per_bucket"
        case clipSigmas = "clip_sigmas"
        case overdispersionThreshold = "overdispersion_threshold"
        case singleShare = "single_share"
        case loadFactor = "load_factor"
        case trendHalfLifeSeconds = "trend_half_life_seconds"
        case escalationFactor = "escalation_factor"
        case hotspotRiseFactor = "hotspot_rise_factor"
        case hotspotLevelHalfLifeSeconds = "hotspot_level_half_life_seconds"
        case hotspotThreshold = "hotspot_threshold"
        case minWrites = "min_writes"
        case rateHalfLifeSeconds = "rate_half_life_seconds"
        case writerWindowSeconds = "writer_window_seconds"
        case maxEditWindowSeconds = "max_edit_window_seconds"
        case defaultEditWindowMs = "default_edit_window_ms"
        case calibrationHalfLifeSeconds = "calibration_half_life_seconds"
        case calibrationPriorWeight = "calibration_prior_weight"
        case maxResources = "max_resources"
        case readTrackerSlots = "read_tracker_slots"
        case baselines
    }

    /// Loads a model file; missing keys keep their defaults and unknown keys are ignored, so a
    /// file written by a newer version still loads.
    public static func load(contentsOf url: URL) throws -> ModelParameters {
        let data = try Data(contentsOf: url)
        return try decode(data)
    }

    public static func decode(_ data: Data) throws -> ModelParameters {
        let p = try JSONDecoder().decode(ModelParameters.self, from: data)
        try p.validate()
        return p
    }

    /// Learned per-route baselines (`train`); empty in `models/default.json`.
    public var baselines: [String: RouteBaseline] = [:]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters()
        schema = try c.decodeIfPresent(Int.self, forKey: .schema) ?? d.schema
        writeMethods = try c.decodeIfPresent([String].self, forKey: .writeMethods) ?? d.writeMethods
        conflictStatuses = try c.decodeIfPresent([Int].self, forKey: .conflictStatuses) ?? d.conflictStatuses
        routes = try c.decodeIfPresent(RouteParameters.self, forKey: .routes) ?? d.routes
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        bucketSeconds = try v(.bucketSeconds, d.bucketSeconds)
        horizonSeconds = try v(.horizonSeconds, d.horizonSeconds)
        alpha = try v(.alpha, d.alpha)
        continueAlpha = try v(.continueAlpha, d.continueAlpha)
        minConflicts = try v(.minConflicts, d.minConflicts)
        closeAfter = try v(.closeAfter, d.closeAfter)
        warmupBuckets = try v(.warmupBuckets, d.warmupBuckets)
        reopenWindowSeconds = try v(.reopenWindowSeconds, d.reopenWindowSeconds)
        baselineHalfLifeSeconds = try v(.baselineHalfLifeSeconds, d.baselineHalfLifeSeconds)
        priorConflicts = try v(.priorConflicts, d.priorConflicts)
        priorWrites = try v(.priorWrites, d.priorWrites)
        priorConflictsPerBucket = try v(.priorConflictsPerBucket, d.priorConflictsPerBucket)
        clipSigmas = try v(.clipSigmas, d.clipSigmas)
        overdispersionThreshold = try v(.overdispersionThreshold, d.overdispersionThreshold)
        singleShare = try v(.singleShare, d.singleShare)
        loadFactor = try v(.loadFactor, d.loadFactor)
        trendHalfLifeSeconds = try v(.trendHalfLifeSeconds, d.trendHalfLifeSeconds)
        escalationFactor = try v(.escalationFactor, d.escalationFactor)
        hotspotRiseFactor = try v(.hotspotRiseFactor, d.hotspotRiseFactor)
        hotspotLevelHalfLifeSeconds = try v(.hotspotLevelHalfLifeSeconds, d.hotspotLevelHalfLifeSeconds)
        hotspotThreshold = try v(.hotspotThreshold, d.hotspotThreshold)
        minWrites = try v(.minWrites, d.minWrites)
        rateHalfLifeSeconds = try v(.rateHalfLifeSeconds, d.rateHalfLifeSeconds)
        writerWindowSeconds = try v(.writerWindowSeconds, d.writerWindowSeconds)
        maxEditWindowSeconds = try v(.maxEditWindowSeconds, d.maxEditWindowSeconds)
        defaultEditWindowMs = try v(.defaultEditWindowMs, d.defaultEditWindowMs)
        calibrationHalfLifeSeconds = try v(.calibrationHalfLifeSeconds, d.calibrationHalfLifeSeconds)
        calibrationPriorWeight = try v(.calibrationPriorWeight, d.calibrationPriorWeight)
        maxResources = try v(.maxResources, d.maxResources)
        readTrackerSlots = try v(.readTrackerSlots, d.readTrackerSlots)
        baselines = try v(.baselines, d.baselines)
    }

    /// Checks ranges; the message names the key and says what is allowed.
    public func validate() throws(ModelParameterError) {
        func check(_ ok: Bool, _ key: String, _ rule: String) throws(ModelParameterError) {
            if !ok { throw ModelParameterError(description: "model parameter \(key): \(rule)") }
        }
        try check(bucketSeconds >= 1 && bucketSeconds <= 3600, "bucket_seconds", "must be 1…3600")
        try check(horizonSeconds > 0, "horizon_seconds", "must be > 0")
        try check(alpha > 0 && alpha < 1, "alpha", "must be between 0 and 1")
        try check(continueAlpha >= alpha && continueAlpha < 1, "continue_alpha", "must be between alpha and 1")
        try check(minConflicts >= 1, "min_conflicts", "must be ≥ 1")
        try check(closeAfter >= 1, "close_after", "must be ≥ 1")
        try check(warmupBuckets >= 0, "warmup_buckets", "must be ≥ 0")
        try check(baselineHalfLifeSeconds > 0 && rateHalfLifeSeconds > 0 && calibrationHalfLifeSeconds > 0
                  && trendHalfLifeSeconds > 0 && hotspotLevelHalfLifeSeconds > 0,
                  "*_half_life_seconds", "must be > 0")
        try check(priorConflicts > 0 && priorWrites > 0, "prior_conflicts/prior_writes", "must be > 0")
        try check(hotspotThreshold > 0 && hotspotThreshold < 1, "hotspot_threshold", "must be between 0 and 1")
        try check(escalationFactor > 1, "escalation_factor", "must be > 1")
        try check(hotspotRiseFactor >= 1, "hotspot_rise_factor", "must be ≥ 1")
        try check(singleShare > 0.5 && singleShare <= 1, "single_share", "must be in (0.5, 1]")
        try check(maxResources >= 1000, "max_resources", "must be ≥ 1000")
        try check(readTrackerSlots >= 1024, "read_tracker_slots", "must be ≥ 1024")
        try check(routes.maxRoutes >= 10, "routes.max_routes", "must be ≥ 10")
    }
}

extension ModelParameters.RouteParameters {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters.RouteParameters()
        varThreshold = try c.decodeIfPresent(Int.self, forKey: .varThreshold) ?? d.varThreshold
        maxLearnedPositions = try c.decodeIfPresent(Int.self, forKey: .maxLearnedPositions) ?? d.maxLearnedPositions
        maxRoutes = try c.decodeIfPresent(Int.self, forKey: .maxRoutes) ?? d.maxRoutes
        templates = try c.decodeIfPresent([String].self, forKey: .templates) ?? d.templates
    }
}

public struct ModelParameterError: Error, CustomStringConvertible {
    public var description: String
}

/// What `train` learns about one route and `--model` starts from (SPEC §5.5).
public struct RouteBaseline: Codable, Sendable, Equatable {
    /// Decayed conflicts and writes behind the conflict-ratio baseline.
    public var conflicts: Double
    public var writes: Double
    /// Mean writes per bucket.
    public var writesPerBucket: Double
    /// Dispersion index of bucket conflict counts (variance / mean).
    public var dispersion: Double
    /// Typical read→write gap on this route, milliseconds (nil: never observed).
    public var editWindowMs: Double?
    /// Per-route hot-spot calibration: observed / raw-expected conflicts.
    public var calibration: Double

    public init(conflicts: Double, writes: Double, writesPerBucket: Double, dispersion: Double, editWindowMs: Double?, calibration: Double) {
        self.conflicts = conflicts
        self.writes = writes
        self.writesPerBucket = writesPerBucket
        self.dispersion = dispersion
        self.editWindowMs = editWindowMs
        self.calibration = calibration
    }

    enum CodingKeys: String, CodingKey {
        case conflicts, writes
        case writesPerBucket = "writes_per_bucket"
        case dispersion
        case editWindowMs = "edit_window_ms"
        case calibration
    }
}
