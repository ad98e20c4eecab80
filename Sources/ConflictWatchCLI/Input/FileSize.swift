import ConflictWatchIngest

enum FileSize {
    /// Size of a regular file, nil for stdin, pipes and anything unreadable.
    static func of(_ path: String) -> UInt64? {
        guard path != "-", let status = FileIdentity.status(path: path), status.isRegular else { return nil }
        return UInt64(status.size)
    }
}
