import Foundation
import Testing

/// What an operator reads: every `--help` (examples that can be copied from an 80-column
/// terminal, the filters of `alerts`, options only where they apply) and the query tables
/// (UTC times with their `Z`, one meaning per column, the hint when `--since` misses the traffic).
@Suite struct HelpAndTablesTests {
    var bin: String { TestEnvironment.conflictwatchBinary }

    func help(_ command: [String], columns: Int) throws -> String {
        let r = try ProcessRunner.run(bin, command + ["--help"], environment: ["COLUMNS": "\(columns)"])
        #expect(r.succeeded, "\(command) --help: \(r.summary)")
        return r.stdoutText
    }

    /// Every command path, found from the SUBCOMMANDS sections of the help itself, so a
    /// command added later is checked too.
    func commandPaths() throws -> [[String]] {
        var found: [[String]] = []
        var queue: [[String]] = [[]]
        while let path = queue.first {
            queue.removeFirst()
            found.append(path)
            let text = try help(path, columns: 200)
            guard let section = text.range(of: "SUBCOMMANDS:\n") else { continue }
            for line in text[section.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty || !line.hasPrefix("  ") { break }
                // Subcommand lines are "  name   abstract"; wrapped abstracts are indented deeper.
                guard line.dropFirst(2).first != " ", let name = line.split(separator: " ").first, name != "help" else { continue }
                queue.append(path + [String(name)])
            }
        }
        return found
    }

    /// Example lines: commands (`conflictwatch …`, `sudo …`, `zcat …`) and the `\` continuation
    /// lines after them, as written (help rendered wide enough that nothing wraps).
    static func exampleLines(_ text: String) -> [String] {
        var out: [String] = []
        var continued = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let isExample = continued || ["conflictwatch ", "sudo ", "zcat "].contains { trimmed.hasPrefix($0) }
            if isExample { out.append(line) }
            continued = isExample && trimmed.hasSuffix("\\")
        }
        return out
    }

    @Test func everyHelpExampleSurvivesEightyColumns() throws {
        let paths = try commandPaths()
        #expect(paths.count >= 20, "found \(paths.map { $0.joined(separator: " ") })")
        var examples = 0
        for path in paths {
            let wide = try help(path, columns: 1000)
            let narrow = try help(path, columns: 80)
            let narrowLines = Set(narrow.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
            for line in Self.exampleLines(wide) {
                examples += 1
                let name = "conflictwatch \(path.joined(separator: " ")) --help"
                #expect(line.count <= 80, "\(name): example line of \(line.count) columns: \(line)")
                #expect(narrowLines.contains(line), "\(name): at 80 columns this example is wrapped: \(line)")
            }
        }
        #expect(examples >= 40, "only \(examples) example lines found: the detection is broken")
    }

    @Test func alertsHelpListsTheFiltersOfList() throws {
        let list = try help(["alerts", "list"], columns: 200)
        let alerts = try help(["alerts"], columns: 200)
        let options = Set(list.matches(of: /--[a-z][a-z-]+/).map { String($0.output) }).subtracting(["--help", "--version"])
        #expect(options.isSuperset(of: ["--since", "--until", "--kind", "--route", "--client", "--min-severity", "--open", "--limit", "--format"]))
        // Listed one a line, as the filter list of `alerts`' own help (an example mentioning
        // the flag does not count).
        let listed = Set(alerts.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("--") ? t.split(separator: " ").first.map(String.init) : nil
        })
        for option in options.sorted() {
            #expect(listed.contains(option), "`alerts --help` does not list \(option) (it is an option of `alerts list`)")
        }
        // The `show` example uses the id format of Core/Alerts/AlertID (kind-UTCstamp-hex6).
        let show = try help(["alerts", "show"], columns: 200)
        #expect(show.contains(/(burst|hotspot)-\d{8}T\d{6}Z-[0-9a-f]{6}/), "\(show)")
    }

    @Test func optionsOnlyWhereTheyApply() throws {
        let tail = try help(["tail"], columns: 200)
        #expect(!tail.contains("--strict"), "the tail daemon goes on past malformed lines; --strict means nothing there")
        #expect(tail.contains("--log-format") && tail.contains("--max-line-length"))
        let capture = try help(["capture"], columns: 200)
        for option in ["--strict", "--log-format", "--max-line-length"] {
            #expect(!capture.contains(option), "capture reads packets: \(option) does not apply")
        }
        #expect(capture.contains("--model"))
        #expect(!(try help(["train"], columns: 200)).contains("--strict"))
        #expect(!(try help(["demo"], columns: 200)).contains("--verbose"))
        for command in ["analyze", "parse", "evaluate"] {
            #expect(try help([command], columns: 200).contains("--strict"), "\(command) keeps --strict")
        }
        // The capturing daemon refuses a flag it would ignore, rather than ignoring it.
        let r = try ProcessRunner.run(bin, ["capture", "-i", "lo", "--state-dir", "/tmp/cw-never", "--max-flows", "100"])
        #expect(r.status == 2 && r.stderrText.contains("--max-flows applies to a foreground capture"), "\(r.summary)")
    }

    @Test func tablesUseUTCWithZAndOneMeaningPerColumn() throws {
        let tmp = try TemporaryDirectory(prefix: "cw-tables")
        defer { tmp.remove() }
        let demo = try ProcessRunner.run(bin, ["demo", "--out", tmp.path], timeout: 120)
        #expect(demo.succeeded, "\(demo.summary)")
        let state = tmp.file("state")
        let alerts = try ProcessRunner.run(bin, ["alerts", "--state-dir", state])
        let hotspots = try ProcessRunner.run(bin, ["hotspots", "--state-dir", state])
        let routes = try ProcessRunner.run(bin, ["routes", "--state-dir", state])
        for (name, r) in [("demo", demo), ("alerts", alerts), ("hotspots", hotspots), ("routes", routes)] {
            #expect(r.succeeded, "\(name): \(r.summary)")
            // Every time in a table carries its zone: the seconds are followed by Z (or a
            // fraction and Z, in the summary's traffic span).
            let times = r.stdoutText.matches(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(.)/)
            for t in times { #expect(t.output.2 == "Z", "\(name): a time without its zone: \(t.output.0)") }
            if name != "routes" { #expect(!times.isEmpty, "\(name) shows times") }
        }
        // Bursts and hot-spot alerts in tables of their own, each with a legend.
        let text = alerts.stdoutText
        let burstPart = try #require(text.range(of: "Bursts (")), hotPart = try #require(text.range(of: "Hot-spot alerts ("))
        let bursts = String(text[burstPart.lowerBound..<hotPart.lowerBound]), hot = String(text[hotPart.lowerBound...])
        func header(_ part: String) throws -> [String] {
            let line = try #require(part.split(separator: "\n").first { $0.hasPrefix("START ") })
            return line.split(separator: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        #expect(try header(bursts) == ["START", "END", "SEVERITY", "ROUTE", "CLASS", "PEAK/BUCKET", "EXPECTED", "CLIENT", "RESOURCE"])
        #expect(try header(hot) == ["START", "END", "SEVERITY", "ROUTE", "NEWEST RESOURCE", "RESOURCES", "CONFLICTS", "PEAK P", "PEAK E"])
        #expect(bursts.contains("  EXPECTED ") && hot.contains("  PEAK P "), "legends under the tables")
        #expect(hotspots.stdoutText.contains("  EDIT MS "), "the hot-spot legend says what EDIT MS is")
    }

    @Test func sinceHintWhenTheStoreTrafficIsOlder() throws {
        let tmp = try TemporaryDirectory(prefix: "cw-since-hint")
        defer { tmp.remove() }
        let demo = try ProcessRunner.run(bin, ["demo", "--out", tmp.path], timeout: 120)
        #expect(demo.succeeded, "\(demo.summary)")
        let state = tmp.file("state")
        // The demo's traffic is of 2025-11-24 16:00-16:10 UTC: an hour back from now is empty.
        let empty = try ProcessRunner.run(bin, ["routes", "--state-dir", state, "--since", "1h"])
        #expect(empty.succeeded && empty.stdoutText == "Routes: none\n", "\(empty.summary)")
        let hint = empty.stderrText
        #expect(hint.contains("no routes since") && hint.contains("the store's newest traffic is of the minute 2025-11-24T16:10:00Z"), "\(hint)")
        let suggested = try #require(hint.firstMatch(of: /try --since (\S+)/)).output.1
        #expect(suggested == "2025-11-24T15:10:00Z", "\(hint)")
        let followed = try ProcessRunner.run(bin, ["routes", "--state-dir", state, "--since", String(suggested), "--format", "json"])
        #expect(followed.succeeded && followed.stdoutText.contains("/api/orders/{id}"), "the suggested --since finds the traffic")
        #expect(followed.stderrText.isEmpty, "no hint when the window holds traffic: \(followed.stderrText)")
        // alerts --since 1h lists the alerts left open at the traffic's end, and says so.
        let open = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--since", "1h"])
        #expect(open.succeeded && open.stdoutText.contains("open"), "\(open.summary)")
        #expect(open.stderrText.contains("still open then"), "\(open.stderrText)")
        let none = try ProcessRunner.run(bin, ["alerts", "--state-dir", state, "--since", "1h", "--kind", "burst", "--min-severity", "critical"])
        #expect(none.stdoutText.hasPrefix("Alerts: none"))
        #expect(none.stderrText.contains("no alerts since"), "\(none.stderrText)")
    }

    /// Through a running daemon's API (`--server`), the hint reads the store's newest traffic from
    /// `/api/v1/series` and says the same.
    @Test func sinceHintThroughTheServer() async throws {
        let tmp = try TemporaryDirectory(prefix: "cw-since-server")
        defer { tmp.remove() }
        let demo = try ProcessRunner.run(bin, ["demo", "--out", tmp.path], timeout: 120)
        #expect(demo.succeeded, "\(demo.summary)")
        let daemon = try BackgroundProcess(
            name: "daemon", executable: bin,
            arguments: ["tail", "--state-dir", tmp.file("live"), "--from-start", "--listen", "127.0.0.1:0", tmp.file("access.log")],
            directory: tmp)
        let port = try await daemon.apiPort(attempts: 200)
        let server = "http://127.0.0.1:\(port)"
        // The daemon stores the sample within a second or two.
        var routes = ProcessResult(status: 1, terminatedBySignal: false, timedOut: false, stdout: Data(), stderr: Data())
        for _ in 0..<50 {
            routes = try ProcessRunner.run(bin, ["routes", "--server", server, "--format", "json"])
            if routes.stdoutText.contains("/api/orders/{id}") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(routes.stdoutText.contains("/api/orders/{id}"), "\(routes.summary)")
        let empty = try ProcessRunner.run(bin, ["routes", "--server", server, "--since", "1h"])
        _ = await daemon.terminate()
        #expect(empty.succeeded && empty.stdoutText == "Routes: none\n", "\(empty.summary)")
        #expect(empty.stderrText.contains("the store's newest traffic is of the minute 2025-11-24T16:10:00Z")
                && empty.stderrText.contains("try --since 2025-11-24T15:10:00Z"), "\(empty.stderrText)")
    }
}
