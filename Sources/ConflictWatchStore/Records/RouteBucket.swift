import GRDB

/// Traffic of one route in one model bucket (default 10 s) of traffic time: the fine series
/// behind the dashboard's recent chart, where a per-minute rollup would flatten a 12-s storm.
/// Only counts, since they add up across flushes; kept for `ConflictStore.bucketWindowMicros`
/// behind the newest bucket, so the table stays small whatever the retention.
public struct RouteBucket: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "route_bucket"

    /// Start of the bucket, microseconds since the Unix epoch (traffic time).
    public var start: Int64
    /// Width of the bucket in microseconds (the model's `bucket_seconds` when it was written).
    public var width: Int64
    public var route: String
    public var requests: Int64
    public var writes: Int64
    public var conflicts: Int64

    public init(start: Int64, width: Int64, route: String, requests: Int64, writes: Int64, conflicts: Int64) {
        self.start = start
        self.width = width
        self.route = route
        self.requests = requests
        self.writes = writes
        self.conflicts = conflicts
    }
}
