/// Appends fixed-width little-endian values to a byte array: the model's restart state
/// (`ModelSnapshot`) is written with it once per store commit, so it must be cheap.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    mutating func int(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { int(Int64(v)) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func double(_ v: Double) { u64(v.bitPattern) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }

    mutating func data(_ v: some Collection<UInt8>) {
        int(v.count)
        bytes.append(contentsOf: v)
    }

    mutating func string(_ v: String) { data(Array(v.utf8)) }
    mutating func optionalInt(_ v: Int64?) {
        bool(v != nil)
        if let v { int(v) }
    }

    /// The bytes of a trivial value as they sit in memory (same build only: the snapshot's
    /// header carries the layout sizes, and a mismatch means a cold start).
    mutating func raw<T: BitwiseCopyable>(_ v: T) {
        withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
    }
}
