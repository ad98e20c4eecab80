/// How far one followed file was read: the end of its last complete line, found again by
/// identity after a restart (SPEC §8). The daemon stores it as a checkpoint; the tailer knows
/// nothing of the store.
package struct TailPosition: Sendable, Equatable {
    /// The configured path (or glob match) the file is followed as.
    package var source: String
    package var identity: FileIdentity
    /// Where the file was last seen (its rotated name once rotated).
    package var path: String
    /// Bytes consumed up to the end of the last complete line.
    package var offset: Int64
    /// Lines consumed.
    package var line: Int64
    /// The file at the source's path; the others are rotated files not yet read to their end.
    package var current: Bool

    package init(source: String, identity: FileIdentity, path: String, offset: Int64, line: Int64, current: Bool) {
        self.source = source
        self.identity = identity
        self.path = path
        self.offset = offset
        self.line = line
        self.current = current
    }
}
