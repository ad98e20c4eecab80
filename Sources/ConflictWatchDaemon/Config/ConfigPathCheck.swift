import ConflictWatchIngest
import Foundation

/// What `config check` says about the paths a config names, beyond their syntax: a source
/// that matches no file yet is only a warning (the daemon follows it once it appears, as
/// after a rotation), but a state directory whose parent is missing is almost always a typo
/// that would put a fresh, empty store somewhere nobody looks, so it is an error.
public struct ConfigPathCheck: Sendable, Equatable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Level: Sendable, Equatable { case warning, error }
        public var level: Level
        public var key: String
        public var message: String

        public var description: String { "\(key): \(level == .warning ? "warning" : "error"): \(message)" }
    }

    public private(set) var findings: [Finding] = []

    public var errors: [Finding] { findings.filter { $0.level == .error } }
    public var warnings: [Finding] { findings.filter { $0.level == .warning } }

    public init(_ config: DaemonConfig) {
        for (i, source) in config.sources.enumerated() {
            if let message = Self.missingSource(source.path) {
                findings.append(Finding(level: .warning, key: "sources[\(i)].path", message: message))
            }
        }
        if let state = config.stateDirectory {
            let parent = (state as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDir) {
                findings.append(Finding(level: .error, key: "state_dir", message:
                    "\(state): its parent directory \(parent) does not exist; create it or correct the path"))
            } else if !isDir.boolValue {
                findings.append(Finding(level: .error, key: "state_dir", message: "\(state): \(parent) is not a directory"))
            }
        }
        if let model = config.model, !FileManager.default.isReadableFile(atPath: model) {
            findings.append(Finding(level: .error, key: "model", message: "\(model): no readable file there"))
        }
        if let openapi = config.openapi, !FileManager.default.isReadableFile(atPath: openapi) {
            findings.append(Finding(level: .error, key: "openapi", message: "\(openapi): no readable file there"))
        }
    }

    /// Why nothing is read from a file or glob yet, or nil when it matches a file. Not an error:
    /// the daemon follows a path once it appears (the log of a service not started yet).
    public static func missingSource(_ pattern: String) -> String? {
        let matches = Glob.expand(pattern).filter { FileManager.default.fileExists(atPath: $0) }
        guard matches.isEmpty else { return nil }
        let dir = firstPlainDirectory(pattern)
        var isDir: ObjCBool = false
        if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
            return "\(pattern): the directory \(dir) does not exist; nothing is read until it and a matching file appear"
        }
        return pattern.contains(where: { "*?[".contains($0) })
            ? "\(pattern) matches no file yet; files are followed as they appear"
            : "\(pattern) does not exist yet; it is followed once it appears"
    }

    /// The directory part of a path or glob before its first wildcard.
    static func firstPlainDirectory(_ pattern: String) -> String {
        var dir = PathParts.split(pattern).dir
        while dir.contains(where: { "*?[".contains($0) }) { dir = PathParts.split(dir).dir }
        return dir
    }
}
