import Foundation
import Testing

/// The dashboard (`GET /` of a running daemon) and `report --out` (the same page with its data
/// embedded), loaded in headless Chromium (issue 13): no console error or uncaught exception,
/// the charts drawn from the stored traffic with a marker per alert, the totals filled in, and
/// at 900 and 1400 px wide no horizontal page scroll and a screenshot that is not blank.
///
/// The page reports on itself: it keeps errors in `<html data-errors>` and, after each render,
/// `data-rendered` and `data-fits` (scrollWidth <= innerWidth), so `--dump-dom` shows them.
@Suite(.serialized) struct DashboardBrowserTests {
    var bin: String { TestEnvironment.conflictwatchBinary }
    let daemonTests = DaemonTests()
    static let widths = [900, 1400]
    static let height = 1400

    /// chromium, or nil with the reason printed; when CI is set a missing browser fails instead.
    func browser() -> String? {
        for name in ["chromium", "chromium-browser"] {
            if let path = ExecutableLocator.find(name) { return path }
        }
        if let ci = TestEnvironment.environment["CI"], !ci.isEmpty {
            Issue.record("chromium is not installed and CI is set: `make test-deps` installs it (Debian package chromium)")
        } else {
            print("DashboardBrowserTests skipped: chromium is not installed (`make test-deps` or `apt-get install chromium`)")
        }
        return nil
    }

    func chromium(_ browser: String, _ tmp: TemporaryDirectory, _ args: [String], width: Int) throws -> ProcessResult {
        // A profile of its own per run, so two runs never share a lock, and a fixed budget of
        // virtual time in which the page loads, fetches and renders (the live page twice).
        try ProcessRunner.run(browser, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--user-data-dir=\(tmp.file("profile-\(UUID().uuidString.prefix(8))"))",
            "--window-size=\(width),\(Self.height)", "--virtual-time-budget=12000",
        ] + args, timeout: 90)
    }

    /// The attribute `name` of the `<html>` element in a dumped DOM.
    func rootAttribute(_ dom: String, _ name: String) -> String? {
        guard let open = dom.range(of: "<html"), let close = dom.range(of: ">", range: open.upperBound..<dom.endIndex) else { return nil }
        let tag = String(dom[open.upperBound..<close.lowerBound])
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    /// The number shown in the totals tile with this id (digits and thousands separators).
    func tileNumber(_ dom: String, _ id: String) -> Double? {
        guard let r = dom.range(of: "id=\"\(id)\">") else { return nil }
        return Double(dom[r.upperBound...].prefix { $0 != "<" }.replacingOccurrences(of: ",", with: ""))
    }

    /// Width and height from a PNG's IHDR chunk.
    func pngSize(_ data: Data) -> (Int, Int)? {
        let b = [UInt8](data.prefix(24))
        guard b.count == 24, b[0] == 0x89, b[1] == 0x50, b[12] == 0x49, b[13] == 0x48 else { return nil }
        func be(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        return (be(16), be(20))
    }

    /// Loads `url` at both widths: the DOM checks, then a screenshot compared with a blank page's.
    func check(_ name: String, url: String, live: Bool, browser: String, tmp: TemporaryDirectory) throws {
        for width in Self.widths {
            let dumped = try chromium(browser, tmp, ["--dump-dom", url], width: width)
            let dom = dumped.stdoutText
            #expect(dumped.succeeded && dom.contains("</html>"), "\(name) \(width): \(dumped.summary)")
            #expect(rootAttribute(dom, "data-errors") == "0", "\(name) \(width): \(rootAttribute(dom, "data-error-text") ?? "no error attribute")")
            #expect(Int(rootAttribute(dom, "data-rendered") ?? "") ?? 0 >= 1, "\(name) \(width): the page never finished a render")
            #expect(rootAttribute(dom, "data-fits") == "true",
                    "\(name) \(width): page scrolls sideways (scrollWidth \(rootAttribute(dom, "data-scroll-width") ?? "?") > \(rootAttribute(dom, "data-inner-width") ?? "?"))")
            #expect(rootAttribute(dom, "data-inner-width") == String(width), "\(name): the window is \(width) px wide")
            let state = dom.firstMatch(of: /<span id="state"( class="")?>([^<]*)</).map { String($0.output.2) }
            #expect(state?.contains(live ? "updated" : "report of") == true, "\(name) \(width): the header says \(state ?? "nothing")")

            // Both time charts drawn: lines with many points, one chart per bucket, one per minute.
            let lines = dom.matches(of: /<polyline points="([^"]+)"[^>]*class="series"/).map { $0.output.1.split(separator: " ").count }
            #expect(lines.count >= 2 && (lines.max() ?? 0) >= 30, "\(name) \(width): series lines with points \(lines)")
            #expect(dom.contains("data-resolution=\"bucket\"") && dom.contains("data-resolution=\"minute\""), "\(name) \(width): both resolutions charted")
            #expect(dom.contains("per 10 s, from model bucket counts"), "\(name) \(width): the recent chart states its resolution")
            #expect(dom.matches(of: /class="alert-marker"/).count >= 2, "\(name) \(width): an alert marker on each time chart")
            #expect(dom.contains("traffic time, UTC ("), "\(name) \(width): the time axis names its zone")
            #expect(dom.matches(of: /class="alert-bar"/).count >= 1 && dom.matches(of: /class="bar"/).count >= 1, "\(name) \(width): timeline and route bars")
            #expect(dom.contains("id=\"pagerText\">alerts 1–"), "\(name) \(width): the pager says which alerts are shown")
            // The totals: numbers, the storm's conflicts among them.
            for id in ["totalRequests", "totalWrites", "totalConflicts", "totalOpen", "totalSilenced", "totalHotspots"] {
                #expect(tileNumber(dom, id) != nil, "\(name) \(width): totals tile \(id) holds a number")
            }
            #expect((tileNumber(dom, "totalRequests") ?? 0) > 1000 && (tileNumber(dom, "totalConflicts") ?? 0) > 10, "\(name) \(width): totals")
            #expect(dom.contains("id=\"totalSpan\">20"), "\(name) \(width): the span covered")
            if live { #expect(dom.contains("id=\"liveLag\">") && dom.contains("id=\"liveRate\">"), "\(name) \(width): live status tiles") }

            let png = tmp.file("\(name)-\(width).png"), blankPNG = tmp.file("blank-\(width).png")
            let shot = try chromium(browser, tmp, ["--screenshot=\(png)", url], width: width)
            let blank = try chromium(browser, tmp, ["--screenshot=\(blankPNG)", "file://" + tmp.file("blank.html")], width: width)
            let image = (try? Data(contentsOf: URL(fileURLWithPath: png))) ?? Data()
            let empty = (try? Data(contentsOf: URL(fileURLWithPath: blankPNG))) ?? Data()
            #expect(shot.succeeded && blank.succeeded, "\(name) \(width): \(shot.summary) \(blank.summary)")
            #expect(pngSize(image).map { [$0.0, $0.1] } == [width, Self.height], "\(name) \(width): screenshot size")
            // A blank page compresses to almost nothing; charts, text and tables do not.
            #expect(image.count > 10 * max(1, empty.count) && image.count > 40_000, "\(name) \(width): \(image.count) bytes vs blank \(empty.count)")
        }
    }

    /// Silences (SPEC §6) come from another part of issue 13: the report's data gains `silences`
    /// and every alert `silenced`. Here they are written into the report by hand: the silenced
    /// alert is greyed, marked, counted as silenced and not open; the silence is listed.
    func checkSilenced(report: String, browser: String, tmp: TemporaryDirectory) throws {
        var html = try String(contentsOfFile: report, encoding: .utf8)
        let silence = #"[{"id":"s-0123456789ab","matchers":{"route":"/api/orders/*","kind":null,"client":null,"resource":null},"comment":"planned load test","author":"ops","created":"2026-11-24T09:59:00.000000Z","starts":"2026-11-24T09:59:00.000000Z","ends":"2026-11-24T12:00:00.000000Z","expired":false}]"#
        let data = #"<script id="cw-data" type="application/json">{"#
        if html.contains(#""silences":[]"#) {
            html = html.replacingOccurrences(of: #""silences":[]"#, with: #""silences":"# + silence)
        } else {
            html = html.replacingOccurrences(of: data, with: data + #""silences":"# + silence + ",")
        }
        if let first = html.range(of: #""silenced":false"#) {
            html.replaceSubrange(first, with: #""silenced":true"#)
        } else {
            html = html.replacingOccurrences(of: #""alerts":[{"#, with: #""alerts":[{"silenced":true,"#)
        }
        let silenced = tmp.file("silenced.html")
        try Data(html.utf8).write(to: URL(fileURLWithPath: silenced))
        let dom = try chromium(browser, tmp, ["--dump-dom", "file://" + silenced], width: 900).stdoutText
        #expect(rootAttribute(dom, "data-errors") == "0", "silenced: \(rootAttribute(dom, "data-error-text") ?? "no error attribute")")
        #expect(tileNumber(dom, "totalSilenced") == 1 && tileNumber(dom, "totalOpen") == 0, "silenced: counted as silenced, not open")
        #expect(dom.contains(#"<tr class="silenced has-detail">"#) && dom.contains(#"<tr class="detail silenced">"#) && dom.contains(#"<span class="mark">silenced</span>"#), "silenced: the row and its reason line are greyed and marked")
        #expect(dom.contains(">s-0123456789ab<") && dom.contains(">route=/api/orders/*<") && dom.contains(">planned load test<"), "silenced: the silence is listed")
        #expect(dom.contains("(silenced) burst"), "silenced: the timeline says so")
    }

    @Test func reportAndLiveDashboardRenderInChromium() async throws {
        guard let browser = browser() else { return }
        let tmp = try TemporaryDirectory(prefix: "cw-browser")
        defer { tmp.remove() }
        try Data("<!doctype html><html><body></body></html>".utf8).write(to: URL(fileURLWithPath: tmp.file("blank.html")))
        // Twelve minutes of order traffic with a 40-s conflict storm: a burst alert, hot spots.
        let log = tmp.file("access.log")
        let t0 = Date(timeIntervalSince1970: 1_795_514_400)  // 2026-11-24T10:00:00Z
        let text = daemonTests.traffic(start: t0, seconds: 600) + daemonTests.traffic(start: t0.addingTimeInterval(600), seconds: 40, storm: true)
            + daemonTests.traffic(start: t0.addingTimeInterval(640), seconds: 120)
        let lines = text.split(separator: "\n").count
        try Data(text.utf8).write(to: URL(fileURLWithPath: log))

        // The report, from `analyze --state-dir`.
        let analyzed = try ProcessRunner.run(bin, ["analyze", "--state-dir", tmp.file("offline"), "--log-format", "combined", log])
        #expect(analyzed.succeeded, "\(analyzed.summary)")
        let report = tmp.file("report.html")
        let written = try ProcessRunner.run(bin, ["report", "--state-dir", tmp.file("offline"), "--out", report])
        #expect(written.succeeded, "\(written.summary)")
        try check("report", url: "file://" + report, live: false, browser: browser, tmp: tmp)
        try checkSilenced(report: report, browser: browser, tmp: tmp)

        // The live page, from a daemon that tails the same log.
        let daemon = try BackgroundProcess(
            name: "daemon", executable: bin,
            arguments: ["tail", "--state-dir", tmp.file("state"), "--log-format", "combined", "--from-start", "--listen", "127.0.0.1:0", log],
            directory: tmp)
        let port = try await daemon.apiPort(attempts: 200)
        #expect(try await daemonTests.waitForStored(tmp, lines) == lines, "\(daemon.stderrTail)")
        try await Task.sleep(for: .milliseconds(600))  // the last flush's hot spots
        try check("live", url: "http://127.0.0.1:\(port)/", live: true, browser: browser, tmp: tmp)
        let stopped = await daemon.terminate()
        #expect(stopped.succeeded, "\(stopped.summary)")
        if TestEnvironment.keepTemporaryFiles { print("DashboardBrowserTests: screenshots in \(tmp.path)") }
    }
}
