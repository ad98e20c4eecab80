import ConflictWatchCore
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Follows files and globs through rotation (SPEC §8). One owner (the pipeline task) calls
/// `restore`, then `poll` repeatedly; nothing here is shared across threads.
///
/// - rename rotation: the path now names another file; the old one is kept open and read until
///   it has been quiet for `drainQuiet` seconds (writers such as nginx keep writing it until they
///   reopen), the new one is read from 0 meanwhile.
/// - copytruncate: the file is smaller than what was read; it is read again from 0.
/// - deleted: the path is gone and the file has no links left once drained: dropped.
/// - globs are matched again on every scan; a file never seen starts at its end unless
///   `fromStart`.
package final class LogTailer {
    package struct Settings: Sendable {
        package var patterns: [String]
        package var fromStart = false
        package var maxLineLength = LineLimits.defaultMaxLineLength
        /// A rotated file with no new data for this long is closed.
        package var drainQuiet = 1.0
        /// Bytes read per file per poll, so one busy file cannot starve the others or the flush.
        package var readBudget = 4 << 20

        package init(patterns: [String]) {
            self.patterns = patterns
        }
    }

    package let settings: Settings
    let logger: Logger
    /// The file currently at each source path.
    private(set) var current: [String: FollowedFile] = [:]
    /// Rotated (or deleted) files still being read to their end, oldest first.
    private(set) var draining: [FollowedFile] = []
    /// Sources that have been followed before (from checkpoints): a new file there is read from 0.
    private var known: Set<String> = []
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)

    package init(settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    deinit { buffer.deallocate() }

    /// Picks up where the checkpoints left off: each checkpointed file is looked for by identity
    /// at its last known path and among its source's rotated siblings (`access.log.1`, …), and
    /// read on from its offset; rotated ones first, so old lines come before new ones.
    package func restore(_ checkpoints: [TailPosition], now: Double) {
        let bySource = Dictionary(grouping: checkpoints, by: \.source)
        for (source, rows) in bySource.sorted(by: { $0.key < $1.key }) {
            known.insert(source)
            let atPath = FileIdentity.status(path: source)
            for row in rows.sorted(by: { !$0.current && $1.current }) {
                let id = row.identity
                if atPath?.identity == id {
                    if let f = FollowedFile.open(source: source, path: source, offset: row.offset, line: row.line,
                                                 maxLineLength: settings.maxLineLength, now: now), f.identity == id {
                        current[source] = f
                        logger.info("resuming file", metadata: ["path": "\(source)", "offset": "\(f.offset)"])
                    }
                    continue
                }
                guard let found = Self.findByIdentity(id, near: source, lastPath: row.path) else {
                    logger.warning("checkpointed file not found; its unread lines are lost", metadata: [
                        "source": "\(source)", "identity": "\(id)", "last_path": "\(row.path)"])
                    continue
                }
                if let f = FollowedFile.open(source: source, path: found, offset: row.offset, line: row.line,
                                             maxLineLength: settings.maxLineLength, now: now), f.identity == id {
                    draining.append(f)
                    logger.info("reading rotated file to its end", metadata: [
                        "source": "\(source)", "path": "\(found)", "offset": "\(f.offset)"])
                }
            }
        }
    }

    /// A file with identity `id`: at `lastPath`, else among the source's siblings in its directory.
    static func findByIdentity(_ id: FileIdentity, near source: String, lastPath: String) -> String? {
        if FileIdentity.status(path: lastPath)?.identity == id { return lastPath }
        let (dir, base) = PathParts.split(source)
        for name in PathParts.list(dir) where name.hasPrefix(base) {
            let p = dir + "/" + name
            if FileIdentity.status(path: p)?.identity == id { return p }
        }
        return nil
    }

    /// One pass: rescans the patterns, notices rotation, truncation and deletion, then reads.
    /// Calls `body(file, line, event, number)` for every complete line (`number` counts from 1 per file). Returns the bytes read.
    @discardableResult
    package func poll(now: Double, _ body: (FollowedFile, UnsafeRawBufferPointer, FollowedFile.LineEvent, Int64) -> Void) -> Int {
        scan(now: now)
        var total = 0
        var keep: [FollowedFile] = []
        for f in draining {
            let n = readOrRestart(f, body)
            total += n
            if n > 0 { f.lastGrowth = now }
            if n == 0, now - f.lastGrowth >= settings.drainQuiet {
                logger.info("rotated file read to its end", metadata: ["source": "\(f.source)", "path": "\(f.path)", "lines": "\(f.line)"])
            } else {
                keep.append(f)
            }
        }
        draining = keep
        for source in current.keys.sorted() {
            guard let f = current[source] else { continue }
            let n = readOrRestart(f, body)
            if n > 0 { f.lastGrowth = now }
            total += n
        }
        return total
    }

    private func readOrRestart(_ f: FollowedFile, _ body: (FollowedFile, UnsafeRawBufferPointer, FollowedFile.LineEvent, Int64) -> Void) -> Int {
        if let st = f.status(), st.size < f.offset {
            logger.notice("file shrank (copytruncate); reading it again from the start", metadata: [
                "path": "\(f.path)", "size": "\(st.size)", "offset": "\(f.offset)"])
            f.restartAfterTruncation()
        }
        return f.read(budget: settings.readBudget, buffer: buffer) { line, event, number in body(f, line, event, number) }
    }

    /// Matches the patterns again and compares each path's file with the one followed.
    private func scan(now: Double) {
        var seen = Set<String>()
        for pattern in settings.patterns {
            for path in Glob.expand(pattern) where !seen.contains(path) {
                seen.insert(path)
                guard let st = FileIdentity.status(path: path), st.isRegular else { continue }
                if let f = current[path], f.identity == st.identity { continue }
                // A pattern such as `access.log*` also matches the rotated file: it is already
                // being read (as its source's old file), not a new source.
                if isFollowed(st.identity) {
                    if let f = current[path] { retire(f, now: now, reason: "rotated") }
                    continue
                }
                if let f = current[path] {
                    // Rename rotation: keep reading the old file until it is quiet.
                    retire(f, now: now, reason: "rotated")
                }
                let isNew = !known.contains(path)
                let startAtEnd = isNew && !settings.fromStart
                guard let f = FollowedFile.open(source: path, path: path, offset: startAtEnd ? nil : 0, line: 0,
                                                maxLineLength: settings.maxLineLength, now: now) else {
                    logger.warning("cannot open file", metadata: ["path": "\(path)", "error": "\(String(cString: strerror(errno)))"])
                    continue
                }
                current[path] = f
                known.insert(path)
                logger.info("following file", metadata: [
                    "path": "\(path)", "identity": "\(f.identity)", "from": startAtEnd ? "end" : "start"])
            }
        }
        for (path, f) in current where !seen.contains(path) || FileIdentity.status(path: path) == nil {
            retire(f, now: now, reason: "gone")
        }
    }

    private func isFollowed(_ id: FileIdentity) -> Bool {
        current.values.contains { $0.identity == id } || draining.contains { $0.identity == id }
    }

    /// Moves the file at a path to the draining list, naming where it went when that is findable.
    private func retire(_ f: FollowedFile, now: Double, reason: String) {
        current[f.source] = nil
        if let moved = Self.findByIdentity(f.identity, near: f.source, lastPath: f.path), moved != f.source {
            f.path = moved
        }
        f.lastGrowth = now
        draining.append(f)
        logger.info("file rotated away; reading it to its end", metadata: [
            "source": "\(f.source)", "now_at": "\(f.path)", "reason": "\(reason)"])
    }

    /// Positions of every followed file, grouped by source (a source with none has an empty
    /// list: its stored checkpoints are replaced by nothing).
    package func positions() -> [String: [TailPosition]] {
        var out: [String: [TailPosition]] = [:]
        for source in known { out[source] = [] }
        for f in draining {
            out[f.source, default: []].append(position(f, current: false))
        }
        for (source, f) in current {
            out[source, default: []].append(position(f, current: true))
        }
        return out
    }

    private func position(_ f: FollowedFile, current: Bool) -> TailPosition {
        TailPosition(source: f.source, identity: f.identity, path: f.path, offset: f.offset, line: f.line, current: current)
    }

    /// Files followed now, current and draining.
    package var fileCount: Int { current.count + draining.count }

    /// Bytes written to followed files beyond what a checkpoint covers (one fstat per file;
    /// called per flush, not per line).
    package func unreadBytes() -> UInt64 {
        var total: UInt64 = 0
        for f in draining + Array(current.values) {
            if let st = f.status(), st.size > f.offset { total += UInt64(st.size - f.offset) }
        }
        return total
    }

    /// Closes everything (SIGHUP reopens by restoring from the last checkpoints).
    package func closeAll() {
        current.removeAll()
        draining.removeAll()
    }
}
