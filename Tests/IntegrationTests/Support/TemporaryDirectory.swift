import Foundation

/// A fresh directory under the system temp dir; `remove()` deletes it unless
/// `CONFLICTWATCH_KEEP_TMP=1` asks to keep it.
struct TemporaryDirectory: Sendable {
    let url: URL

    init(prefix: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() {
        if TestEnvironment.keepTemporaryFiles {
            print("keeping \(url.path) (CONFLICTWATCH_KEEP_TMP=1)")
            return
        }
        try? FileManager.default.removeItem(at: url)
    }
}
