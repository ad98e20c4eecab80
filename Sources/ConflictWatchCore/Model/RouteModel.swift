/// The model's state for one route: the current bucket's counts and evidence, the
/// conflict-ratio baseline (a decayed Gamma posterior), dispersion, edit window, hot-spot
/// calibration and write heavy hitters.
struct RouteModel {
    /// Conflicting requests kept per bucket as candidate alert samples.
    static let samplesPerBucket = 32
    var name: String
    // Current bucket.
    var bucketWrites: UInt32 = 0
    var bucketConflicts: UInt32 = 0
    /// Conflicts of creates (POST): unique-constraint refusals rather than version races.
    var bucketCreateConflicts: UInt32 = 0
    var bucketStatuses: [UInt32] = [0, 0, 0, 0]  // by index in conflict_statuses (last = other)
    var bucketClients = SpaceSaving(capacity: 8)
    var bucketResources = SpaceSaving(capacity: 8)
    var bucketSamples: [Alert.Sample] = []
    var touched = false
    // Baseline (decayed over baseline half-life, updated once per bucket with writes).
    var baseConflicts: Double = 0
    var baseWrites: Double = 0
    /// Decayed number of buckets with writes behind `baseWrites`.
    var baseBuckets: Double = 0
    var baseResidual: Double = 0
    var baseMean: Double = 0
    /// Per conflict status (index as in `bucketStatuses`): decayed conflicts behind a ratio per
    /// status, so a route that starts answering a status it never did (a deploy returning 409
    /// where clients send If-Match and normally get 412) stands out at once.
    var baseStatusConflicts: [Double] = []
    /// The two previous buckets' counts, expectations and test sizes, for the 3-bucket test of a
    /// sustained shift too small to stand out in any single bucket.
    var previous: [(count: Int, mean: Double, size: Double)] = []
    /// Whether either of those buckets was anomalous: then the 3-bucket test would only find the
    /// incident again (and hold its alert open a bucket too long), so it is not used.
    var previousAnomalous = false
    var lastTwoAnomalous = (false, false)
    /// The fast level-and-trend estimate a bucket must also beat (a slow rise is followed).
    var trend = TrendBaseline()
    /// The ratio this bucket is tested against, fixed when the last bucket closed (clients'
    /// expected conflicts are counted with it write by write).
    var testRatio: Double = 0
    var warmBuckets: Int = 0
    var trained = false
    // Hot spots.
    var editWindowMs: Double = -1
    var calibrationConflicts = DecayedCount()
    var calibrationExpected = DecayedCount()
    /// c_r, recomputed from the sums when a bucket closes (not per write: it moves slowly).
    var calibration: Double = 1
    // Alerting (handles into the model's alert tables).
    var openAlert: Int = -1
    var lastClosedAlert: Int? = nil
    var hotspotGroup: Int = -1
    var lastHotspotGroup: Int? = nil

    init(name: String) { self.name = name }

    /// Conflicts per write the baseline believes in, with its Gamma prior.
    @inline(__always)
    func ratio(_ p: ModelParameters) -> Double {
        (p.priorConflicts + baseConflicts) / (p.priorWrites + baseWrites)
    }

    /// The ratio a bucket is tested against: the slow baseline, or the trend's forecast when
    /// conflicts have been rising.
    @inline(__always)
    func expectedRatio(_ p: ModelParameters, trendKeep: Double) -> Double {
        max(ratio(p), trend.forecast(keep: trendKeep))
    }

    /// Mean writes per bucket (of buckets with writes), over the baseline's memory.
    var baseWritesPerBucket: Double { baseBuckets > 0 ? baseWrites / baseBuckets : 0 }

    /// Dispersion index of the bucket counts seen so far (1 = Poisson).
    var dispersion: Double { baseMean > 0 ? baseResidual / baseMean : 1 }

    mutating func resetBucket() {
        bucketWrites = 0
        bucketConflicts = 0
        bucketCreateConflicts = 0
        for i in 0..<bucketStatuses.count { bucketStatuses[i] = 0 }
        if !bucketClients.isEmpty { bucketClients.reset() }
        if !bucketResources.isEmpty { bucketResources.reset() }
        bucketSamples.removeAll(keepingCapacity: true)
        touched = false
    }

    func baseline(calibration: Double) -> RouteBaseline {
        RouteBaseline(
            conflicts: baseConflicts, writes: baseWrites, writesPerBucket: baseWritesPerBucket,
            dispersion: dispersion, editWindowMs: editWindowMs >= 0 ? editWindowMs : nil, calibration: calibration)
    }

    mutating func warmStart(_ b: RouteBaseline, at time: Int64) {
        baseConflicts = b.conflicts
        baseWrites = b.writes
        baseBuckets = b.writesPerBucket > 0 ? b.writes / b.writesPerBucket : 0
        baseMean = 1
        baseResidual = b.dispersion
        editWindowMs = b.editWindowMs ?? -1
        // The calibration is carried as pseudo-counts of modest weight.
        calibrationConflicts = DecayedCount(value: b.calibration * 10, updated: time)
        calibrationExpected = DecayedCount(value: 10, updated: time)
        calibration = b.calibration
        trained = true
    }
}
