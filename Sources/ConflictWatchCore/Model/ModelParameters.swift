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
    /// file written by a newer version still loads. Every error names the file; a bad value also
    /// names its key, the value and the allowed range.
    public static func load(contentsOf url: URL) throws(ModelFileError) -> ModelParameters {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelFileError(path: url.path, problem: .unreadable(error.localizedDescription))
        }
        do {
            return try decode(data)
        } catch {
            throw ModelFileError(path: url.path, problem: .invalid(error))
        }
    }

    public static func decode(_ data: Data) throws(ModelParameterError) -> ModelParameters {
        let p: ModelParameters
        do {
            p = try JSONDecoder().decode(ModelParameters.self, from: data)
        } catch let e as ModelParameterError {
            throw e
        } catch let e as DecodingError {
            throw ModelParameterError(decodingError: e)
        } catch {
            throw ModelParameterError(key: nil, message: "not a model JSON file (\(error))")
        }
        try p.validate()
        return p
    }

    /// Learned per-route baselines (`train`); empty in `models/default.json`.
    public var baselines: [String: RouteBaseline] = [:]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters()
        func whole(_ key: CodingKeys, _ fallback: Int) throws -> Int {
            try Self.wholeNumber(c.decodeIfPresent(Double.self, forKey: key), key: key.stringValue) ?? fallback
        }
        schema = try whole(.schema, d.schema)
        writeMethods = try c.decodeIfPresent([String].self, forKey: .writeMethods) ?? d.writeMethods
        conflictStatuses = try c.decodeIfPresent([Double].self, forKey: .conflictStatuses).map { list in
            try list.map { try Self.wholeNumber($0, key: "conflict_statuses")! }
        } ?? d.conflictStatuses
        routes = try c.decodeIfPresent(RouteParameters.self, forKey: .routes) ?? d.routes
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        bucketSeconds = try v(.bucketSeconds, d.bucketSeconds)
        horizonSeconds = try v(.horizonSeconds, d.horizonSeconds)
        alpha = try v(.alpha, d.alpha)
        continueAlpha = try v(.continueAlpha, d.continueAlpha)
        minConflicts = try whole(.minConflicts, d.minConflicts)
        closeAfter = try whole(.closeAfter, d.closeAfter)
        warmupBuckets = try whole(.warmupBuckets, d.warmupBuckets)
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
        minWrites = try whole(.minWrites, d.minWrites)
        rateHalfLifeSeconds = try v(.rateHalfLifeSeconds, d.rateHalfLifeSeconds)
        writerWindowSeconds = try v(.writerWindowSeconds, d.writerWindowSeconds)
        maxEditWindowSeconds = try v(.maxEditWindowSeconds, d.maxEditWindowSeconds)
        defaultEditWindowMs = try v(.defaultEditWindowMs, d.defaultEditWindowMs)
        calibrationHalfLifeSeconds = try v(.calibrationHalfLifeSeconds, d.calibrationHalfLifeSeconds)
        calibrationPriorWeight = try v(.calibrationPriorWeight, d.calibrationPriorWeight)
        maxResources = try whole(.maxResources, d.maxResources)
        readTrackerSlots = try whole(.readTrackerSlots, d.readTrackerSlots)
        baselines = try v(.baselines, d.baselines)
    }

    /// A count read as a JSON number: a fraction or a number too large for an Int is refused
    /// here, naming the key (Foundation's own decoding error names neither key nor value).
    static func wholeNumber(_ value: Double?, key: String) throws(ModelParameterError) -> Int? {
        guard let value else { return nil }
        guard value.isFinite, value == value.rounded() else {
            throw ModelParameterError(key: key, message: "expected a whole number, got \(value)")
        }
        guard abs(value) < 9.0e15 else {
            if let b = bounds.first(where: { $0.key == key }) {
                throw ModelParameterError(key: key, value: "\(value)", allowed: b.allowed, why: b.why)
            }
            throw ModelParameterError(key: key, message: "\(value) is too large")
        }
        return Int(value)
    }

    /// Checks every value against `ModelParameters.bounds` and the lists' rules; the error names
    /// the key, the value and what is allowed.
    public func validate() throws(ModelParameterError) {
        for b in Self.bounds {
            let v = b.read(self)
            if !b.contains(v) {
                throw ModelParameterError(key: b.key, value: ModelParameterBound.format(v, b.kind), allowed: b.allowed, why: b.why)
            }
        }
        if continueAlpha < alpha {
            throw ModelParameterError(key: "continue_alpha", value: "\(continueAlpha)", allowed: "alpha (\(alpha))…1",
                                      why: "an open burst continues at least as easily as one opens")
        }
        func list(_ key: String, _ count: Int, _ max: Int) throws(ModelParameterError) {
            if count < 1 || count > max {
                throw ModelParameterError(key: key, value: "\(count) entries", allowed: "1…\(max) entries", why: "the model needs at least one")
            }
        }
        try list("write_methods", writeMethods.count, Self.maxWriteMethods)
        for m in writeMethods where m.isEmpty || m.utf8.count > 32 || !m.utf8.allSatisfy(Self.isMethodByte) {
            throw ModelParameterError(key: "write_methods", message: "\(Self.quoted(m)) is not an HTTP method; expected upper-case letters such as PUT or MERGE (at most 32)")
        }
        try list("conflict_statuses", conflictStatuses.count, Self.maxConflictStatuses)
        for s in conflictStatuses where !(100...599).contains(s) {
            throw ModelParameterError(key: "conflict_statuses", value: "\(s)", allowed: "100…599", why: "an HTTP status code")
        }
        if Set(conflictStatuses).count != conflictStatuses.count {
            throw ModelParameterError(key: "conflict_statuses", message: "lists a status twice; give each once")
        }
        if routes.templates.count > Self.maxTemplates {
            throw ModelParameterError(key: "routes.templates", value: "\(routes.templates.count) entries", allowed: "0…\(Self.maxTemplates) entries",
                                      why: "every path is matched against the templates")
        }
        for t in routes.templates where !t.hasPrefix("/") || t.utf8.count > Self.maxTemplateBytes {
            throw ModelParameterError(key: "routes.templates", message: "\(Self.quoted(t)) is not a path template; expected one starting with / such as /api/orders/{id}, at most \(Self.maxTemplateBytes) bytes")
        }
        try validateBaselines()
    }

    /// The learned part alone: finite, non-negative numbers (a `train` output or the daemon's
    /// `model-state.json` read back).
    public func validateBaselines() throws(ModelParameterError) {
        if baselines.count > Self.maxBaselines {
            throw ModelParameterError(key: "baselines", value: "\(baselines.count) routes", allowed: "0…\(Self.maxBaselines) routes", why: "one per route")
        }
        for (route, b) in baselines {
            let fields: [(String, Double, Bool)] = [
                ("conflicts", b.conflicts, false), ("writes", b.writes, false), ("writes_per_bucket", b.writesPerBucket, false),
                ("dispersion", b.dispersion, false), ("edit_window_ms", b.editWindowMs ?? 0, false), ("calibration", b.calibration, true),
            ]
            for (name, v, positive) in fields where !v.isFinite || v < 0 || (positive && v == 0) || v > 1e15 {
                throw ModelParameterError(key: "baselines[\(Self.quoted(route))].\(name)", value: "\(v)",
                                          allowed: positive ? "(0, 1e15]" : "0…1e15", why: "a learned count, rate or ratio")
            }
        }
    }

    static func isMethodByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
    }

    /// A value from the file, quoted with its control characters made visible.
    static func quoted(_ s: String) -> String { "\"" + TerminalText.escape(String(s.prefix(80))) + "\"" }
}

extension ModelParameters.RouteParameters {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelParameters.RouteParameters()
        func whole(_ key: CodingKeys, _ fallback: Int) throws -> Int {
            try ModelParameters.wholeNumber(c.decodeIfPresent(Double.self, forKey: key), key: "routes." + key.stringValue) ?? fallback
        }
        varThreshold = try whole(.varThreshold, d.varThreshold)
        maxLearnedPositions = try whole(.maxLearnedPositions, d.maxLearnedPositions)
        maxRoutes = try whole(.maxRoutes, d.maxRoutes)
        templates = try c.decodeIfPresent([String].self, forKey: .templates) ?? d.templates
    }
}
