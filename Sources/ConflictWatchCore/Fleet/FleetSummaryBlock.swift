/// One block of a CWF3 summary (docs/fleet.md), encoded by a `FleetBlockEncoder` wherever the
/// exchanges are (the daemon's reading thread, one batch a block) and copied whole into the
/// summary by the thread that accounts them (`FleetSummaryWriter.absorb`). Reused: `reset`
/// keeps its memory.
public struct FleetSummaryBlock: Sendable {
    /// Record count (u32), body length (u32), flags (u8), little-endian. Flags: bit 0, the
    /// block continues the dictionaries and time of the block before it; bit 1, the block
    /// starts a scope with the strings and time it lists (a *preamble*, no records: what a
    /// summary puts before a block continuing a scope that began in an earlier summary).
    public static let headerBytes = 4 + 4 + 1
    static let continuesScope: UInt8 = 1
    static let preamble: UInt8 = 2
    /// A scope's string entry (in a preamble, and the encoder's own list): kind, then the
    /// length as a varint, then the bytes.
    static let clientEntry: UInt8 = 0
    static let methodEntry: UInt8 = 1

    /// The header, then the records.
    public internal(set) var bytes: [UInt8] = []
    public internal(set) var count = 0
    public internal(set) var firstTime: Int64 = .max
    public internal(set) var lastTime: Int64 = .min
    /// The last record's time (the next block of the scope steps from it).
    public internal(set) var endTime: Int64 = 0
    /// The strings this block added to its scope, as entries (kind, length, bytes), in order:
    /// what the thread gathering blocks keeps to write a preamble of the scope.
    public internal(set) var definitions: [UInt8] = []

    public init() {}

    /// The block starts its own dictionaries and time (a summary may start with it).
    public var startsScope: Bool { bytes.count < Self.headerBytes || bytes[8] & Self.continuesScope == 0 }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        definitions.removeAll(keepingCapacity: true)
        endTime = 0
        count = 0
        firstTime = .max
        lastTime = .min
    }

    /// Writes a block header at the end of `out` (its counts filled in by `close`); returns
    /// where it is.
    @inline(__always)
    static func open(in out: inout [UInt8], continuing: Bool) -> Int {
        let at = out.count
        out.append(contentsOf: repeatElement(0, count: headerBytes))
        out[at + 8] = continuing ? continuesScope : 0
        return at
    }

    /// Fills in the header at `at`: `count` records, ending where `out` ends.
    static func close(in out: inout [UInt8], at: Int, count: Int) {
        let body = out.count - at - headerBytes
        precondition(count <= Int(UInt32.max) && body <= Int(UInt32.max), "a fleet summary block over 4 GiB")
        out.withUnsafeMutableBytes { b in
            b.storeBytes(of: UInt32(count).littleEndian, toByteOffset: at, as: UInt32.self)
            b.storeBytes(of: UInt32(body).littleEndian, toByteOffset: at + 4, as: UInt32.self)
        }
    }
}
