import Foundation

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
