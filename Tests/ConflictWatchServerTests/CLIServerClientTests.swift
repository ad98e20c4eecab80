import ConflictWatchServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The CLI's `--server URL` against a live in-process server: every query prints the same bytes
/// as the same query on the store itself, and failures say what to check.
@Suite struct CLIServerClientTests {
    static let queries: [[String]] = [
        ["alerts", "--format", "json"],
        ["alerts"],
        ["alerts", "--format", "csv", "--route", "/api/orders/*", "--open"],
        ["alerts", "--format", "json", "--since", "2026-11-24T11:30:00+01:00", "--min-severity", "medium"],
        ["alerts", "--format", "json", "--kind", "burst", "--client", "10.0.0.1", "--limit", "1"],
        ["alerts", "show", "a2", "--format", "json"],
        ["alerts", "show", "a3"],
        ["hotspots", "--top", "2", "--format", "csv"],
        ["hotspots", "--format", "json"],
        ["routes"],
        ["routes", "--format", "json", "--since", "2026-11-24T10:03:00Z"],
    ]

    @Test func serverAnswersPrintLikeTheStore() async throws {
        let bin = try #require(CLIProcess.binary, "build the conflictwatch binary first (swift build), or set CONFLICTWATCH_BIN")
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, token: "tok-1", setup: .live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            for query in Self.queries {
                let local = try await CLIProcess.run(bin, query + ["--state-dir", fixture.directory])
                let remote = try await CLIProcess.run(bin, query + ["--server", url], environment: ["CONFLICTWATCH_API_TOKEN": "tok-1"])
                #expect(local.status == 0, "\(query): \(local.stderr)")
                #expect(remote.status == 0, "\(query): \(remote.stderr)")
                #expect(!local.stdout.isEmpty)
                #expect(remote.stdout == local.stdout, "\(query)")
            }
            let flag = try await CLIProcess.run(bin, ["alerts", "--open", "--format", "json", "--server", url + "/", "--api-token", "tok-1"])
            #expect(flag.status == 0 && flag.stdout.contains("\"id\" : \"a4\""), "\(flag.stderr)")
        }
    }

    @Test func failuresSayWhatToCheck() async throws {
        let bin = try #require(CLIProcess.binary, "build the conflictwatch binary first (swift build), or set CONFLICTWATCH_BIN")
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        try await withQueryApp(fixture, token: "tok-1", setup: .live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            let both = try await CLIProcess.run(bin, ["alerts", "--server", url, "--state-dir", fixture.directory])
            #expect(both.status == 2 && both.stderr.contains("keep --server"), "\(both.stderr)")
            let noToken = try await CLIProcess.run(bin, ["hotspots", "--server", url])
            #expect(noToken.status == 1 && noToken.stderr.contains("CONFLICTWATCH_API_TOKEN"), "\(noToken.stderr)")
            let wrong = try await CLIProcess.run(bin, ["routes", "--server", url, "--api-token", "nope"])
            #expect(wrong.status == 1 && wrong.stderr.contains("not the daemon's --api-token"), "\(wrong.stderr)")
            let missing = try await CLIProcess.run(bin, ["alerts", "show", "zzz", "--server", url], environment: ["CONFLICTWATCH_API_TOKEN": "tok-1"])
            #expect(missing.status == 1 && missing.stderr.contains("no alert zzz"), "\(missing.stderr)")
            let badURL = try await CLIProcess.run(bin, ["alerts", "--server", "127.0.0.1:9409"])
            #expect(badURL.status == 2 && badURL.stderr.contains("http://"), "\(badURL.stderr)")
        }
        // Nothing listens on port 1.
        let down = try await CLIProcess.run(bin, ["alerts", "--server", "http://127.0.0.1:1"])
        #expect(down.status == 1 && down.stderr.contains("--listen"), "\(down.stderr)")
    }
}
