import Foundation

/// Sources are stored by absolute path, so a checkpoint still matches when the daemon is
/// started from another directory.
enum PathNormalizer {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
