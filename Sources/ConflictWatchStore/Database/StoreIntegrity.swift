import Foundation
import GRDB

/// Tells a damaged store file from a healthy one, so a corrupt file is reported as what it is
/// (with what to do) instead of being used silently or blamed on the binary's version.
enum StoreIntegrity {
    /// Every SQLite 3 database starts with these 16 bytes.
    static let header = Array("SQLite format 3\u{0}".utf8)

    /// The message every corruption finding ends in.
    static func corrupt(_ path: String, _ detail: String) -> StoreError {
        StoreError("the store at \(path) is corrupt (\(detail)): move it aside (mv \(path) \(path).corrupt, with its -wal and -shm files) so a new one is created, or restore it from a backup")
    }

    /// A file that exists with content but not SQLite's header (overwritten, truncated to
    /// garbage, another program's file). An empty file is a store not written yet.
    static func checkHeader(_ path: String) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let first = (try? handle.read(upToCount: 100)) ?? Data()
        if first.isEmpty { return }
        if first.count < 100 {
            throw corrupt(path, "\(first.count) bytes, shorter than an SQLite header")
        }
        guard Array(first.prefix(16)) == header else {
            throw corrupt(path, "not an SQLite database: the file does not start with SQLite's header")
        }
    }

    /// `PRAGMA quick_check`: the b-trees and their pages are consistent (no index-content check,
    /// so it reads the file once). Nil when the store is sound.
    static func quickCheck(_ db: Database) throws -> String? {
        let rows = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
        guard rows != ["ok"] else { return nil }
        return rows.prefix(3).joined(separator: "; ")
    }

    /// The SQLite result codes that mean the file itself is damaged.
    static func isCorruption(_ error: any Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB
    }

    /// A read or write failure, as corruption when SQLite says so.
    static func error(_ error: any Error, path: String, doing: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if isCorruption(error), let e = error as? DatabaseError {
            return corrupt(path, "SQLite: \(e.message ?? "\(e.resultCode)")")
        }
        return StoreError("\(doing) \(path): \(error)")
    }
}
