import ConflictWatchDaemon
import Foundation

/// The daemon's YAML config (`run --config`), as read at start and on SIGHUP. Errors are the
/// expected outcome for most inputs; only a crash or a hang is a finding.
enum ConfigHarness {
    static func run(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        _ = try? DaemonConfig.parse(text, file: "fuzz.yaml")
    }
}
