import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a fleet agent's outbox keeps the summaries themselves (SPEC §7): segment files in
/// `fleet-outbox/` beside the store, appended to; the outbox row committed with the source
/// checkpoints says where each summary is. SQLite wrote a summary three times (the WAL, its
/// fsync, the checkpoint into the database) on the pipeline's thread: one second's summaries
/// (110 MB on a fast log) took 1.1 s to commit while accounting stood still. Here they cost one
/// write into the page cache.
///
/// The bytes are written before the row's transaction, on the committing thread, so a
/// committed row's bytes are always there for the shipper: a kill -9 between the two leaves
/// bytes no row points at, which nothing reads and the segment's deletion takes with it. (A power
/// loss can lose the last seconds' bytes, as it can lose the last commits of SQLite run without
/// fsync; the shipper then says how many exchanges the fleet lost.)
///
/// Only one segment is written at a time; a writer moves to the next one past `segmentBytes`, and
/// only after the row of its last summary in the old one has been committed (one thread does
/// both, in order). So a segment below the one being written is complete, and it can go once
/// no unshipped row points into it.
final class FleetOutboxFiles: Sendable {
    static let directoryName = "fleet-outbox"
    static let segmentBytes: Int64 = 64 << 20

    let directory: String
    let segmentBytes: Int64

    private struct Writer {
        var segment: Int64
        var fd: Int32
        var size: Int64
    }

    private let writer = Mutex<Writer?>(nil)

    init(storeDirectory: String, segmentBytes: Int64 = FleetOutboxFiles.segmentBytes) {
        directory = storeDirectory + "/" + Self.directoryName
        self.segmentBytes = segmentBytes
    }

    deinit {
        writer.withLock { w in
            if let fd = w?.fd { close(fd) }
        }
    }

    func path(of segment: Int64) -> String {
        let digits = String(segment)
        return directory + "/" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits + ".cwf"
    }

    /// The segment numbers present, ascending.
    func segments() -> [Int64] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name in name.hasSuffix(".cwf") ? Int64(name.dropLast(4)) : nil }.sorted()
    }

    /// Appends one summary's bytes; returns the segment and offset they start at.
    func append(_ bytes: [UInt8]) throws(StoreError) -> (segment: Int64, offset: Int64) {
        try writer.withLock { (w: inout Writer?) throws(StoreError) -> (segment: Int64, offset: Int64) in
            if w == nil { w = try openSegment(segments().last ?? 1) }
            if w!.size >= segmentBytes {
                let next = w!.segment + 1
                close(w!.fd)
                w = nil
                w = try openSegment(next)
            }
            let offset = w!.size
            if let failed = FileBytes.writeAll(bytes, to: w!.fd, at: nil) {
                // Where the next write goes is unknown now: find out again next time.
                close(w!.fd)
                w = nil
                throw StoreError("cannot write the fleet outbox in \(directory): \(String(cString: strerror(failed))); free disk space or check the state directory")
            }
            w!.size += Int64(bytes.count)
            return (w!.segment, offset)
        }
    }

    private func openSegment(_ segment: Int64) throws(StoreError) -> Writer {
        if !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError("cannot create \(directory): \(error.localizedDescription); check the state directory's owner and mode")
            }
        }
        let file = path(of: segment)
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError("cannot open the fleet outbox \(file): \(String(cString: strerror(errno))); check the state directory's owner and mode")
        }
        let size = lseek(fd, 0, SEEK_END)
        return Writer(segment: segment, fd: fd, size: max(0, Int64(size)))
    }

    /// The segment being written, or the last one present (a writer not started yet continues it).
    func currentSegment() -> Int64? {
        writer.withLock { $0?.segment } ?? segments().last
    }

    /// Reads `length` bytes at `offset` of `segment`; nil when they are not all there.
    func read(segment: Int64, offset: Int64, length: Int) -> [UInt8]? {
        let fd = open(path(of: segment), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return try? FileBytes.readAll(fd, count: length, at: offset).get()
    }

    /// Deletes the segments below `limit` (none of which may still be referenced) and below the
    /// one being written. `current` is what `currentSegment()` said *before* the caller looked
    /// for the rows still referencing segments, so no row committed after that look can be in
    /// a segment deleted here.
    @discardableResult
    func removeSegments(below limit: Int64, current: Int64?) -> Int {
        guard let current else { return 0 }
        var removed = 0
        for s in segments() where s < limit && s < current {
            if unlink(path(of: s)) == 0 { removed += 1 }
        }
        return removed
    }
}
