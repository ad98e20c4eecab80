import ConflictWatchCore

/// Where the daemon's reading thread stood at the end of one pass over its files (`TailReader`):
/// a flush commits these positions as checkpoints together with exactly the exchanges accounted
/// up to that pass's end, so a restart neither loses nor repeats a line.
package struct TailProgress: Sendable {
    /// Per source, as `LogTailer.positions()` gives them.
    package var positions: [String: [TailPosition]]
    /// The followed files' counts (lines, malformed, ...) up to here.
    package var report: SourceReport
    package var fileCount: Int
    /// Written to the followed files beyond `positions`.
    package var unreadBytes: UInt64
    /// Bytes this pass read.
    package var bytesRead: Int

    package init(positions: [String: [TailPosition]], report: SourceReport, fileCount: Int, unreadBytes: UInt64, bytesRead: Int) {
        self.positions = positions
        self.report = report
        self.fileCount = fileCount
        self.unreadBytes = unreadBytes
        self.bytesRead = bytesRead
    }
}
