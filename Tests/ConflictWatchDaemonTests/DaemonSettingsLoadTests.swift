import ConflictWatchDaemon
import Foundation
import Testing

/// `run --config` and `config check` read a file into daemon settings through
/// `DaemonSettings.load(configPath:)`; its refusals say which key and how the CLI shows them.
@Suite struct DaemonSettingsLoadTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-settings-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theFileBecomesSettings() throws {
        let path = try write("sources:\n  - path: /var/log/nginx/access.log\n    format: combined\nretention_days: 7\nfrom_start: true\nstate_dir: /tmp/cw-settings-state\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (settings, file) = try DaemonSettings.load(configPath: path)
        #expect(settings.sources.map(\.pattern) == ["/var/log/nginx/access.log"])
        #expect(settings.retentionDays == 7)
        #expect(settings.fromStart)
        #expect(settings.stateDirectory == "/tmp/cw-settings-state")
        #expect(settings.listen == nil)
        #expect(file.retentionDays == 7)
    }

    @Test func aBadKeyIsInvalidAndNamed() throws {
        let path = try write("sources:\n  - path: /var/log/nginx/access.log\nretention_days: 0\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try DaemonSettings.load(configPath: path)
        } throws: { error in
            guard case .invalid(let message) = error as? ConfigLoadError else { return false }
            return message.hasPrefix("bad configuration: ") && message.contains("retention_days")
        }
    }

    @Test func aListenOffLoopbackWithoutTokenIsRefused() throws {
        let path = try write("sources:\n  - path: /var/log/nginx/access.log\nlisten: 0.0.0.0:9409\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard ProcessInfo.processInfo.environment["CONFLICTWATCH_API_TOKEN"] == nil else { return }
        #expect {
            _ = try DaemonSettings.load(configPath: path)
        } throws: { error in
            guard case .listen(let message) = error as? ConfigLoadError else { return false }
            return message.hasPrefix("\(path): listen: ")
        }
    }
}
