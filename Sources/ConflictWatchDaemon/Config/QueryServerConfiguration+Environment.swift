import ConflictWatchServer
import Foundation

extension QueryServerConfiguration {
    /// The token from `CONFLICTWATCH_API_TOKEN` (kept out of `ps` and shell history); an empty
    /// variable counts as unset.
    public static func tokenFromEnvironment() -> String? {
        ProcessInfo.processInfo.environment[tokenEnvironmentVariable].flatMap { $0.isEmpty ? nil : $0 }
    }
}
