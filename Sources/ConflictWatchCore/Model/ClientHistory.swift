/// A client's conflicts and expectation in its last two buckets with writes (only clients that
/// had conflicts are kept), for the 3-bucket test of a sustained client storm.
struct ClientHistory: Equatable {
    struct Bucket: Equatable {
        var bucket: Int64 = .min
        var count = 0
        var expected = 0.0
        var writes = 0
    }

    /// Clients kept per bucket, about; the table is pruned to recent ones past four times this.
    static let limit = 4096

    var bucket: Int64
    var count: Int
    var expected: Double
    var writes: Int
    var previous: Bucket
}
