import GRDB

/// How far one file of a source was read (SPEC §8), by identity. `current` marks the file that
/// was at the source's path; the others are rotated files not yet read to their end.
public struct SourceCheckpoint: Codable, FetchableRecord, PersistableRecord, Sendable, Equatable {
    public static let databaseTableName = "checkpoint"

    /// The configured path (or glob match) the file was followed as.
    public var source: String
    public var device: UInt64
    public var inode: UInt64
    /// Where the file was last seen (its rotated name once rotated).
    public var path: String
    /// Bytes consumed up to the end of the last complete line.
    public var offset: Int64
    /// Lines consumed.
    public var line: Int64
    public var current: Bool
    /// Wall-clock time of the write, RFC 3339.
    public var updated: String

    public init(source: String, device: UInt64, inode: UInt64, path: String, offset: Int64, line: Int64, current: Bool, updated: String) {
        self.source = source
        self.device = device
        self.inode = inode
        self.path = path
        self.offset = offset
        self.line = line
        self.current = current
        self.updated = updated
    }

    public enum Columns {
        static let source = Column(CodingKeys.source)
    }
}
