import CZlib
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the model's restart state lives (SPEC §5.5): two files beside the store,
/// `model-snapshot.0` and `model-snapshot.1`, written in turn. The `model_state` row committed
/// with the source checkpoints names the generation that holds the state as of them (the file is
/// its generation's parity), with its length and CRC-32. As a blob in that row, the state (about
/// 2.5 MB for a busy host, rewritten with every commit) went through SQLite's WAL, the WAL's
/// checkpoint into the database and its fsync: a sixth of a fleet agent's CPU at 125,000
/// lines/s. Here it costs one write into the page cache.
///
/// A generation goes to the file the committed row does not name, written whole before the
/// row's transaction, so a kill -9 at any point leaves the committed generation's file as it
/// was. A power loss can leave the row naming a file whose bytes did not all reach the disk
/// (neither is fsynced, as the store's commits are not); its length or checksum then does not
/// match, and the daemon starts cold, said in its log, as for any state it cannot use.
struct ModelStateFiles: Sendable {
    static let fileNames = ["model-snapshot.0", "model-snapshot.1"]

    /// What the row committed with a generation says about its file.
    struct Written: Sendable, Equatable {
        var generation: Int64
        var length: Int
        var crc: UInt32
    }

    let directory: String

    init(storeDirectory: String) {
        directory = storeDirectory
    }

    func path(ofGeneration generation: Int64) -> String {
        directory + "/" + Self.fileNames[Int(generation & 1)]
    }

    /// Writes `bytes` as `generation` (one more than the committed one, so the other file).
    func write(_ bytes: [UInt8], generation: Int64) throws(StoreError) -> Written {
        let file = path(ofGeneration: generation)
        let fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError("cannot open \(file) for the model's restart state: \(String(cString: strerror(errno))); check the state directory's owner and mode")
        }
        defer { close(fd) }
        var failed = FileBytes.writeAll(bytes, to: fd, at: 0)
        // The file is rewritten in place: what a longer generation left past the end goes.
        if failed == nil, ftruncate(fd, off_t(bytes.count)) != 0 { failed = errno }
        if let failed {
            throw StoreError("cannot write the model's restart state to \(file): \(String(cString: strerror(failed))); free disk space or check the state directory")
        }
        return Written(generation: generation, length: bytes.count, crc: Self.crc(bytes))
    }

    /// The state `written` describes; throws when its file is missing, short or other bytes.
    func read(_ written: Written) throws(StoreError) -> [UInt8] {
        let file = path(ofGeneration: written.generation)
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError("cannot open \(file), the model's restart state the store names: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // The length comes from the row: checked against the file before anything is allocated
        // for it, so a damaged row cannot ask for a negative or absurd buffer.
        var st = stat()
        let size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
        guard written.length >= 0, written.length <= size else {
            throw StoreError("\(file) holds \(size) of the \(written.length) bytes of the model's restart state the store names (generation \(written.generation))")
        }
        let out: [UInt8]
        switch FileBytes.readAll(fd, count: written.length, at: 0) {
        case .success(let bytes):
            out = bytes
        case .failure(.ended(let after)):
            throw StoreError("\(file) holds \(after) of the \(written.length) bytes of the model's restart state the store names (generation \(written.generation))")
        case .failure(.failed(let code)):
            throw StoreError("cannot read \(file), the model's restart state the store names: \(String(cString: strerror(code)))")
        }
        let crc = Self.crc(out)
        guard crc == written.crc else {
            throw StoreError("\(file) does not hold the model's restart state the store names (generation \(written.generation): CRC-32 \(crc), committed \(written.crc))")
        }
        return out
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { b in
            UInt32(truncatingIfNeeded: crc32_z(0, b.baseAddress?.assumingMemoryBound(to: Bytef.self), b.count))
        }
    }
}
