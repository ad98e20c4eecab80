import ArgumentParser
import ConflictWatchDaemon
import ConflictWatchFleet
import Foundation
import Testing
@testable import ConflictWatchCLI

/// `run --config` with `--database-url`, `--agent` and `--agent-timeout`: each flag given
/// replaces its key of the file, the others stay (one config for every host of a fleet).
@Suite struct FleetAgentOptionsTests {
    func config(_ extra: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cw-fleetflags-\(UUID().uuidString).yaml").path
        try "sources:\n  - path: /var/log/nginx/access.log\n\(extra)".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theFlagsOverrideTheFilesKeysOneByOne() throws {
        let path = try config("database_url: postgres://cw@db1:5432/fleet\nagent: from-file\nagent_timeout_seconds: 60\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let none = try RunCommand.settings(from: path, fleet: try FleetAgentOptions.parse([])).0.fleet
        #expect(none?.agent == "from-file" && none?.url.host == "db1" && none?.agentTimeoutSeconds == 60)
        let named = try RunCommand.settings(from: path, fleet: try FleetAgentOptions.parse(["--agent", "web3"])).0.fleet
        #expect(named?.agent == "web3" && named?.url.host == "db1" && named?.agentTimeoutSeconds == 60)
        let moved = try RunCommand.settings(from: path, fleet: try FleetAgentOptions.parse([
            "--database-url", "postgres://cw@db2:5433/fleet", "--agent-timeout", "5"])).0.fleet
        #expect(moved?.agent == "from-file" && moved?.url.host == "db2" && moved?.url.port == 5433 && moved?.agentTimeoutSeconds == 5)
    }

    @Test func aFileWithoutADatabaseTakesOneFromTheFlag() throws {
        let path = try config("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try RunCommand.settings(from: path, fleet: try FleetAgentOptions.parse([])).0.fleet == nil)
        let fleet = try RunCommand.settings(from: path, fleet: try FleetAgentOptions.parse([
            "--database-url", "postgres://cw@db1/fleet", "--agent", "web7"])).0.fleet
        #expect(fleet?.agent == "web7" && fleet?.url.database == "fleet" && fleet?.agentTimeoutSeconds == 30)
        // A name without a database anywhere is a mistake, said before anything starts.
        if ProcessInfo.processInfo.environment["CONFLICTWATCH_DATABASE_URL"] == nil {
            #expect(throws: (any Error).self) { try RunCommand.settings(from: path, fleet: try FleetAgentOptions.parse(["--agent", "web7"])) }
        }
    }

    @Test func runRefusesABadFlagBeforeReadingTheFile() async throws {
        let path = try config("")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = await CommandRunner.run(["run", "--config", path, "--agent", "web 3"])
        #expect(r.status == 64 || r.status == 2, "\(r.status)")
        #expect(r.stderr.contains("--agent web 3: use 1 to 64 printable characters"), "\(r.stderr)")
    }
}
