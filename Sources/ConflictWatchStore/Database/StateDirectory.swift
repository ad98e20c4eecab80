import ConflictWatchCore
import Foundation

/// Where the daemon keeps its state (SPEC §2): `$XDG_STATE_HOME/conflictwatch`, else
/// `~/.local/state/conflictwatch`. Created with mode 0700 because alerts carry client addresses.
public enum StateDirectory {
    public static let databaseFileName = "conflictwatch.sqlite"

    /// The default state directory for this user.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty, xdg.hasPrefix("/") {
            return xdg + "/conflictwatch"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/conflictwatch"
    }

    /// Creates `path` (and parents) when missing, mode 0700.
    public static func create(_ path: String) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError("cannot create the state directory \(path): \(error.localizedDescription); pass --state-dir DIR with a directory you can write")
        }
    }

    public static func databasePath(in directory: String) -> String {
        directory + "/" + databaseFileName
    }
}
